
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/native/src/convolution.c" "native/CMakeFiles/nnpack.dir/src/convolution.c.o" "gcc" "native/CMakeFiles/nnpack.dir/src/convolution.c.o.d"
  "/work/main/native/src/gemm.c" "native/CMakeFiles/nnpack.dir/src/gemm.c.o" "gcc" "native/CMakeFiles/nnpack.dir/src/gemm.c.o.d"
  "/work/main/native/src/init.c" "native/CMakeFiles/nnpack.dir/src/init.c.o" "gcc" "native/CMakeFiles/nnpack.dir/src/init.c.o.d"
  "/work/main/native/src/scalar/sgemm_ukernel_4x8__scalar.c" "native/CMakeFiles/nnpack.dir/src/scalar/sgemm_ukernel_4x8__scalar.c.o" "gcc" "native/CMakeFiles/nnpack.dir/src/scalar/sgemm_ukernel_4x8__scalar.c.o.d"
  "/work/main/native/src/threadpool.c" "native/CMakeFiles/nnpack.dir/src/threadpool.c.o" "gcc" "native/CMakeFiles/nnpack.dir/src/threadpool.c.o.d"
  "/work/main/native/src/validate.c" "native/CMakeFiles/nnpack.dir/src/validate.c.o" "gcc" "native/CMakeFiles/nnpack.dir/src/validate.c.o.d"
  "/work/main/native/src/x86_64-avx2/sgemm_ukernel_6x16__avx2.c" "native/CMakeFiles/nnpack.dir/src/x86_64-avx2/sgemm_ukernel_6x16__avx2.c.o" "gcc" "native/CMakeFiles/nnpack.dir/src/x86_64-avx2/sgemm_ukernel_6x16__avx2.c.o.d"
  "/work/main/native/src/x86_64-avx512/sgemm_ukernel_6x32__avx512.c" "native/CMakeFiles/nnpack.dir/src/x86_64-avx512/sgemm_ukernel_6x32__avx512.c.o" "gcc" "native/CMakeFiles/nnpack.dir/src/x86_64-avx512/sgemm_ukernel_6x32__avx512.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
