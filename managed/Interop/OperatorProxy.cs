using NNPackSharp.Geometry;

namespace NNPackSharp.Interop;

/// <summary>
/// One typed, status-checked wrapper per native operator (fully connected, max pooling, softmax, ReLU): each turns a
/// failure into an <see cref="NNPackException"/>. None takes a workspace. Pointers are to pinned, dense, validated
/// memory; <c>threadPool</c> is a pool from <see cref="ThreadPools"/>, or 0 for the calling thread.
/// </summary>
internal static unsafe class OperatorProxy
{
    /// <summary><c>nnp_fully_connected_output</c>: <c>output [batch,oc] = input [batch,ic] x kernel [oc,ic]^T</c>.</summary>
    public static void FullyConnectedOutput(int batch, int inputChannels, int outputChannels, float* input, float* kernel, float* output, nint threadPool) =>
        Ensure.Success(
            NNPackNative.nnp_fully_connected_output((nuint)batch, (nuint)inputChannels, (nuint)outputChannels, input, kernel, output, threadPool, null),
            nameof(NNPackNative.nnp_fully_connected_output));

    /// <summary><c>nnp_fully_connected_inference</c>: one vector.</summary>
    public static void FullyConnectedInference(int inputChannels, int outputChannels, float* input, float* kernel, float* output, nint threadPool) =>
        Ensure.Success(
            NNPackNative.nnp_fully_connected_inference((nuint)inputChannels, (nuint)outputChannels, input, kernel, output, threadPool),
            nameof(NNPackNative.nnp_fully_connected_inference));

    /// <summary><c>nnpsharp_fully_connected_inference_ieee_f16f32</c>: one vector, the kernel in IEEE binary16 (<see cref="Half"/>).</summary>
    public static void FullyConnectedInferenceF16(int inputChannels, int outputChannels, float* input, Half* kernel, float* output, nint threadPool) =>
        Ensure.Success(
            NNPackNative.nnpsharp_fully_connected_inference_ieee_f16f32((nuint)inputChannels, (nuint)outputChannels, input, kernel, output, threadPool),
            nameof(NNPackNative.nnpsharp_fully_connected_inference_ieee_f16f32));

    /// <summary>
    /// <c>nnpsharp_max_pooling_output</c> with symmetric padding and the geometry's (floor) output size: the first windows of
    /// upstream's ceil count, any padding.
    /// </summary>
    public static void MaxPoolingOutput(in PoolingGeometry g, float* input, float* output, nint threadPool)
    {
        var size = new NnpSize { Height = (nuint)g.InputHeight, Width = (nuint)g.InputWidth };
        var pad = new NnpPadding { Top = (nuint)g.Padding.Height, Bottom = (nuint)g.Padding.Height, Left = (nuint)g.Padding.Width, Right = (nuint)g.Padding.Width };
        var pool = new NnpSize { Height = (nuint)g.Kernel.Height, Width = (nuint)g.Kernel.Width };
        var step = new NnpSize { Height = (nuint)g.Stride.Height, Width = (nuint)g.Stride.Width };
        var pooled = new NnpSize { Height = (nuint)g.OutputHeight, Width = (nuint)g.OutputWidth };
        Ensure.Success(
            NNPackNative.nnpsharp_max_pooling_output((nuint)g.Batch, (nuint)g.Channels, size, pad, pool, step, pooled, input, output, threadPool),
            nameof(NNPackNative.nnpsharp_max_pooling_output));
    }

    /// <summary><c>nnp_softmax_output</c> along each row.</summary>
    public static void SoftmaxOutput(int rows, int columns, float* input, float* output, nint threadPool) =>
        Ensure.Success(NNPackNative.nnp_softmax_output((nuint)rows, (nuint)columns, input, output, threadPool), nameof(NNPackNative.nnp_softmax_output));

    /// <summary><c>nnp_relu_output</c>.</summary>
    public static void ReluOutput(int rows, int columns, float* input, float* output, float negativeSlope, nint threadPool) =>
        Ensure.Success(NNPackNative.nnp_relu_output((nuint)rows, (nuint)columns, input, output, negativeSlope, threadPool), nameof(NNPackNative.nnp_relu_output));

    /// <summary><c>nnp_relu_input_gradient</c>.</summary>
    public static void ReluInputGradient(int rows, int columns, float* gradOutput, float* input, float* gradInput, float negativeSlope, nint threadPool) =>
        Ensure.Success(
            NNPackNative.nnp_relu_input_gradient((nuint)rows, (nuint)columns, gradOutput, input, gradInput, negativeSlope, threadPool),
            nameof(NNPackNative.nnp_relu_input_gradient));
}
