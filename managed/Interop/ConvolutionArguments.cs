using NNPackSharp.Geometry;

namespace NNPackSharp.Interop;

/// <summary>
/// The arguments the three strided convolution functions share, in their native types: sizes, symmetric padding,
/// stride (output subsampling) and thread pool, converted once from a validated geometry.
/// </summary>
internal readonly struct ConvolutionArguments
{
    public ConvolutionArguments(in Conv2DGeometry g, nint threadPool, NnpConvolutionAlgorithm algorithm = NnpConvolutionAlgorithm.Auto)
    {
        Algorithm = algorithm;
        Batch = (nuint)g.Batch;
        InputChannels = (nuint)g.InputChannels;
        OutputChannels = (nuint)g.OutputChannels;
        InputSize = new NnpSize { Width = (nuint)g.InputWidth, Height = (nuint)g.InputHeight };
        Padding = new NnpPadding { Top = (nuint)g.PadHeight, Bottom = (nuint)g.PadHeight, Left = (nuint)g.PadWidth, Right = (nuint)g.PadWidth };
        KernelSize = new NnpSize { Width = (nuint)g.KernelWidth, Height = (nuint)g.KernelHeight };
        Stride = new NnpSize { Width = (nuint)g.StrideWidth, Height = (nuint)g.StrideHeight };
        ThreadPool = threadPool;
    }

    /// <summary>The algorithm the call asks for; <see cref="NnpConvolutionAlgorithm.Auto"/> unless a caller pinned one.</summary>
    public NnpConvolutionAlgorithm Algorithm { get; }

    public nuint Batch { get; }

    public nuint InputChannels { get; }

    public nuint OutputChannels { get; }

    public NnpSize InputSize { get; }

    public NnpPadding Padding { get; }

    public NnpSize KernelSize { get; }

    public NnpSize Stride { get; }

    /// <summary>The pthreadpool to run on; 0 for the calling thread.</summary>
    public nint ThreadPool { get; }

    /// <summary>The activation the forward functions apply as they store the output (NNPACK's activation argument); identity by default.</summary>
    public NnpActivation Activation { get; init; }
}
