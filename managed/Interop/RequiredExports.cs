using System.Runtime.InteropServices;

namespace NNPackSharp.Interop;

/// <summary>
/// Every function the native engine calls, checked when the library loads: upstream NNPACK and older builds of ours
/// lack the <c>nnpsharp_*</c> extensions, and a library without them must be refused at load time with their names,
/// not fail later with an <see cref="EntryPointNotFoundException"/> in the middle of a call.
/// </summary>
internal static class RequiredExports
{
    /// <summary>The exports, by the names the bindings call.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        nameof(NNPackNative.nnp_initialize),
        nameof(NNPackNative.nnpsharp_isa),
        nameof(NNPackNative.pthreadpool_create),
        nameof(NNPackNative.pthreadpool_destroy),
        nameof(NNPackNative.nnpsharp_convolution_output_strided),
        nameof(NNPackNative.nnpsharp_convolution_input_gradient_strided),
        nameof(NNPackNative.nnpsharp_convolution_kernel_gradient_strided),
        nameof(NNPackNative.nnp_convolution_inference),
        nameof(NNPackNative.nnp_fully_connected_output),
        nameof(NNPackNative.nnp_fully_connected_inference),
        nameof(NNPackNative.nnpsharp_fully_connected_inference_ieee_f16f32),
        nameof(NNPackNative.nnpsharp_max_pooling_output),
        nameof(NNPackNative.nnp_softmax_output),
        nameof(NNPackNative.nnp_relu_output),
        nameof(NNPackNative.nnp_relu_input_gradient),
    ];

    /// <summary>The names <paramref name="library"/> does not export, in <see cref="Names"/>' order; empty when it has them all.</summary>
    public static IReadOnlyList<string> MissingFrom(nint library) =>
        [.. Names.Where(name => !NativeLibrary.TryGetExport(library, name, out _))];
}
