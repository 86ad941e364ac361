file(REMOVE_RECURSE
  "CMakeFiles/nnpack.dir/src/convolution.c.o"
  "CMakeFiles/nnpack.dir/src/convolution.c.o.d"
  "CMakeFiles/nnpack.dir/src/gemm.c.o"
  "CMakeFiles/nnpack.dir/src/gemm.c.o.d"
  "CMakeFiles/nnpack.dir/src/init.c.o"
  "CMakeFiles/nnpack.dir/src/init.c.o.d"
  "CMakeFiles/nnpack.dir/src/scalar/sgemm_ukernel_4x8__scalar.c.o"
  "CMakeFiles/nnpack.dir/src/scalar/sgemm_ukernel_4x8__scalar.c.o.d"
  "CMakeFiles/nnpack.dir/src/threadpool.c.o"
  "CMakeFiles/nnpack.dir/src/threadpool.c.o.d"
  "CMakeFiles/nnpack.dir/src/validate.c.o"
  "CMakeFiles/nnpack.dir/src/validate.c.o.d"
  "CMakeFiles/nnpack.dir/src/x86_64-avx2/sgemm_ukernel_6x16__avx2.c.o"
  "CMakeFiles/nnpack.dir/src/x86_64-avx2/sgemm_ukernel_6x16__avx2.c.o.d"
  "CMakeFiles/nnpack.dir/src/x86_64-avx512/sgemm_ukernel_6x32__avx512.c.o"
  "CMakeFiles/nnpack.dir/src/x86_64-avx512/sgemm_ukernel_6x32__avx512.c.o.d"
  "libnnpack.pdb"
  "libnnpack.so"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/nnpack.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
