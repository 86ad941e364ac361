namespace NNPackSharp;

/// <summary>
/// The algorithm the native engine computes a convolution with (NNPACK's <c>nnp_convolution_algorithm</c>), pinned per
/// call through <see cref="Conv2DOptions.NativeAlgorithm"/>. An algorithm that cannot compute a call's shape and pass
/// is refused with a <see cref="NotSupportedException"/> that says why, before anything is written.
/// </summary>
public enum NNPackConvolutionAlgorithm
{
    /// <summary>The library's own choice for the shape (direct, Winograd or implicit GEMM; see the README).</summary>
    Auto = 0,

    /// <summary>Implicit GEMM: any kernel, stride and padding, every pass; exact to float rounding (about 1e-5 of the terms).</summary>
    ImplicitGemm = 1,

    /// <summary>Direct GEMM on the image itself: 1x1 kernels with stride 1 and no padding only.</summary>
    Direct = 2,

    /// <summary>
    /// Winograd F(6x6,3x3): 3x3 kernels with stride 1 and padding at most 2, every pass (the weight gradient as
    /// F(3x3,6x6) on the same 8x8 tiles, beyond upstream NNPACK). About 1e-3 of the terms' magnitude (the weight
    /// gradient: of the largest term's), and a NaN, an infinity or a huge input spreads over the whole 6x6 output tiles
    /// that read it (in the weight gradient, over the whole 3x3 gradients it reaches); pin <see cref="ImplicitGemm"/>
    /// where that matters.
    /// </summary>
    Winograd = 3,

    /// <summary>
    /// FFT on 8x8 tiles: kernels up to 8x8 with stride 1, every pass (the input gradient also needs padding below the
    /// kernel size). About 1e-5 of the largest term magnitude of the result; a NaN or infinity spreads over the whole
    /// output tiles (8 - kernel + 1 wide) that read it.
    /// </summary>
    Fft8x8 = 4,

    /// <summary>
    /// FFT on 16x16 tiles: kernels up to 16x16 with stride 1, every pass (the input gradient also needs padding below the
    /// kernel size), with the accuracy of <see cref="Fft8x8"/>.
    /// </summary>
    Fft16x16 = 5,

    /// <summary>
    /// Winograd F(4x4,3x3) on 6x6 tiles (beyond upstream NNPACK): the shapes and passes of <see cref="Winograd"/>, fewer
    /// wasted tile rows on small maps (7x7 to 14x14, where <see cref="Auto"/> picks it; <see cref="Auto"/> computes the
    /// weight gradient of every 3x3 stride-1 layer with at least 16 channels each way by it), and better conditioned:
    /// about 1e-5 of the terms' magnitude, and a NaN or infinity spreads over 4x4 output tiles.
    /// </summary>
    Winograd4x4 = 6,
}
