# CMake generated Testfile for 
# Source directory: /work/main/native
# Build directory: /work/main/build/native
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[convolution_avx512]=] "/work/main/build/native/nnpack_convolution_test" "avx512")
set_tests_properties([=[convolution_avx512]=] PROPERTIES  ENVIRONMENT "NNPACKSHARP_ISA=avx512" _BACKTRACE_TRIPLES "/work/main/native/CMakeLists.txt;37;add_test;/work/main/native/CMakeLists.txt;0;")
add_test([=[convolution_avx2]=] "/work/main/build/native/nnpack_convolution_test" "avx2")
set_tests_properties([=[convolution_avx2]=] PROPERTIES  ENVIRONMENT "NNPACKSHARP_ISA=avx2" _BACKTRACE_TRIPLES "/work/main/native/CMakeLists.txt;37;add_test;/work/main/native/CMakeLists.txt;0;")
add_test([=[convolution_scalar]=] "/work/main/build/native/nnpack_convolution_test" "scalar")
set_tests_properties([=[convolution_scalar]=] PROPERTIES  ENVIRONMENT "NNPACKSHARP_ISA=scalar" _BACKTRACE_TRIPLES "/work/main/native/CMakeLists.txt;37;add_test;/work/main/native/CMakeLists.txt;0;")
add_test([=[memcheck_avx2]=] "/usr/bin/valgrind" "-q" "--error-exitcode=9" "/work/main/build/native/nnpack_convolution_test" "avx2")
set_tests_properties([=[memcheck_avx2]=] PROPERTIES  ENVIRONMENT "NNPACKSHARP_ISA=avx2" _BACKTRACE_TRIPLES "/work/main/native/CMakeLists.txt;44;add_test;/work/main/native/CMakeLists.txt;0;")
add_test([=[runtime_dependencies]=] "/usr/bin/cmake" "-DLIBRARY=/work/main/build/native/libnnpack.so" "-P" "/work/main/native/tests/check_dependencies.cmake")
set_tests_properties([=[runtime_dependencies]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/native/CMakeLists.txt;48;add_test;/work/main/native/CMakeLists.txt;0;")
