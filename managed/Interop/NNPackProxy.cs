namespace NNPackSharp.Interop;

/// <summary>
/// One typed, status-checked wrapper per native convolution function (LibGit2Sharp's <c>Proxy</c>): each sizes and
/// lends the workspace and turns a failure into an <see cref="NNPackException"/>. All use the arguments' algorithm
/// (auto unless pinned), the output its activation, and no profile; pointers are to pinned, dense, validated memory.
/// </summary>
internal static unsafe class NNPackProxy
{
    /// <summary><c>nnpsharp_convolution_output_strided</c>: <paramref name="output"/> = conv(input, kernel) + bias (bias may be null).</summary>
    public static void ConvolutionOutput(in ConvolutionArguments arguments, float* input, float* kernel, float* bias, float* output) =>
        WorkspaceProtocol.Run(new OutputCall(arguments, input, kernel, bias, output));

    /// <summary><c>nnpsharp_convolution_input_gradient_strided</c>: overwrites <paramref name="gradInput"/>.</summary>
    public static void ConvolutionInputGradient(in ConvolutionArguments arguments, float* gradOutput, float* kernel, float* gradInput) =>
        WorkspaceProtocol.Run(new InputGradientCall(arguments, gradOutput, kernel, gradInput));

    /// <summary><c>nnpsharp_convolution_kernel_gradient_strided</c>: overwrites <paramref name="gradKernel"/>.</summary>
    public static void ConvolutionKernelGradient(in ConvolutionArguments arguments, float* input, float* gradOutput, float* gradKernel) =>
        WorkspaceProtocol.Run(new KernelGradientCall(arguments, input, gradOutput, gradKernel));

    /// <summary>
    /// Whether the library's algorithm for <paramref name="arguments"/> can compute each requested function: a size query
    /// per function (it validates and chooses the algorithm, computes nothing, touches no tensor). Returns the status of
    /// the first function that refuses, or success.
    /// </summary>
    public static NnpStatus Supports(in ConvolutionArguments arguments, bool output, bool inputGradient, bool kernelGradient)
    {
        nuint size = 0;
        NnpStatus status = NnpStatus.Success;
        if (output)
        {
            status = new OutputCall(arguments, null, null, null, null).Invoke(null, &size);
        }

        if (status == NnpStatus.Success && inputGradient)
        {
            status = new InputGradientCall(arguments, null, null, null).Invoke(null, &size);
        }

        if (status == NnpStatus.Success && kernelGradient)
        {
            status = new KernelGradientCall(arguments, null, null, null).Invoke(null, &size);
        }

        return status;
    }

    private readonly struct OutputCall(ConvolutionArguments a, float* input, float* kernel, float* bias, float* output) : IWorkspaceCall
    {
        public static string Function => nameof(NNPackNative.nnpsharp_convolution_output_strided);

        public NnpStatus Invoke(void* workspace, nuint* workspaceSize) => NNPackNative.nnpsharp_convolution_output_strided(
            a.Algorithm, a.Batch, a.InputChannels, a.OutputChannels, a.InputSize, a.Padding, a.KernelSize, a.Stride,
            input, kernel, bias, output, workspace, workspaceSize, a.Activation, null, a.ThreadPool, null);
    }

    private readonly struct InputGradientCall(ConvolutionArguments a, float* gradOutput, float* kernel, float* gradInput) : IWorkspaceCall
    {
        public static string Function => nameof(NNPackNative.nnpsharp_convolution_input_gradient_strided);

        public NnpStatus Invoke(void* workspace, nuint* workspaceSize) => NNPackNative.nnpsharp_convolution_input_gradient_strided(
            a.Algorithm, a.Batch, a.InputChannels, a.OutputChannels, a.InputSize, a.Padding, a.KernelSize, a.Stride,
            gradOutput, kernel, gradInput, workspace, workspaceSize, NnpActivation.Identity, null, a.ThreadPool, null);
    }

    private readonly struct KernelGradientCall(ConvolutionArguments a, float* input, float* gradOutput, float* gradKernel) : IWorkspaceCall
    {
        public static string Function => nameof(NNPackNative.nnpsharp_convolution_kernel_gradient_strided);

        public NnpStatus Invoke(void* workspace, nuint* workspaceSize) => NNPackNative.nnpsharp_convolution_kernel_gradient_strided(
            a.Algorithm, a.Batch, a.InputChannels, a.OutputChannels, a.InputSize, a.Padding, a.KernelSize, a.Stride,
            input, gradOutput, gradKernel, workspace, workspaceSize, NnpActivation.Identity, null, a.ThreadPool, null);
    }
}
