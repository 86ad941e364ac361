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

    /// <summary><c>nnp_fully_connected_inference_f16f32</c>: one vector, FP16 kernel.</summary>
    public static void FullyConnectedInferenceF16(int inputChannels, int outputChannels, float* input, Half* kernel, float* output, nint threadPool) =>
        Ensure.Success(
            NNPackNative.nnp_fully_connected_inference_f16f32((nuint)inputChannels, (nuint)outputChannels, input, kernel, output, threadPool),
            nameof(NNPackNative.nnp_fully_connected_inference_f16f32));

    /// <summary><c>nnp_max_pooling_output</c> with symmetric padding.</summary>
    public static void MaxPoolingOutput(int batch, int channels, int height, int width, Size2D padding, Size2D kernel, Size2D stride, float* input, float* output, nint threadPool)
    {
        var size = new NnpSize { Height = (nuint)height, Width = (nuint)width };
        var pad = new NnpPadding { Top = (nuint)padding.Height, Bottom = (nuint)padding.Height, Left = (nuint)padding.Width, Right = (nuint)padding.Width };
        var pool = new NnpSize { Height = (nuint)kernel.Height, Width = (nuint)kernel.Width };
        var step = new NnpSize { Height = (nuint)stride.Height, Width = (nuint)stride.Width };
        Ensure.Success(
            NNPackNative.nnp_max_pooling_output((nuint)batch, (nuint)channels, size, pad, pool, step, input, output, threadPool),
            nameof(NNPackNative.nnp_max_pooling_output));
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
