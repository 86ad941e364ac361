# Empty compiler generated dependencies file for nnpack.
# This may be replaced when dependencies are built.
