# Empty compiler generated dependencies file for nnpack_convolution_test.
# This may be replaced when dependencies are built.
