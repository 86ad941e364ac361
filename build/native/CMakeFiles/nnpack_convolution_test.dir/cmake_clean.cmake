file(REMOVE_RECURSE
  "CMakeFiles/nnpack_convolution_test.dir/tests/convolution_test.c.o"
  "CMakeFiles/nnpack_convolution_test.dir/tests/convolution_test.c.o.d"
  "nnpack_convolution_test"
  "nnpack_convolution_test.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/nnpack_convolution_test.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
