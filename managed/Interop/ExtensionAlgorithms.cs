namespace NNPackSharp.Interop;

/// <summary>
/// Algorithm values of our library beyond upstream's <c>enum nnp_convolution_algorithm</c>. They are macros in
/// <c>nnpacksharp.h</c> (upstream's enum stays as upstream defines it), which the bindings generator does not read;
/// <c>Native/ExtensionAlgorithmTests</c> checks each value against the header.
/// </summary>
internal static class ExtensionAlgorithms
{
    /// <summary><c>nnpsharp_convolution_algorithm_wt6x6</c>: Winograd F(4x4,3x3) on 6x6 tiles.</summary>
    public const NnpConvolutionAlgorithm Wt6x6 = (NnpConvolutionAlgorithm)0x100;
}
