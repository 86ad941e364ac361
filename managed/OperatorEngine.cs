namespace NNPackSharp;

/// <summary>
/// Which engine runs one of the operations of <see cref="FullyConnected"/>, <see cref="Pooling"/> and
/// <see cref="Activations"/>.
/// </summary>
public enum OperatorEngine
{
    /// <summary>C# on every platform and element type (vectorised with <see cref="System.Numerics.Tensors.TensorPrimitives"/> and the managed GEMM).</summary>
    Managed = 0,

    /// <summary>
    /// libnnpack's operator, <see cref="float"/> only. Throws <see cref="NNPackUnavailableException"/> where the
    /// library is not available, and <see cref="NotSupportedException"/> for another element type or a call the native
    /// operator cannot compute (the exception says why); it never falls back to the managed engine silently.
    /// </summary>
    Native = 1,

    /// <summary>
    /// The native operator for <see cref="float"/> where the library is available on x64 and computes the call, else
    /// the managed engine (which gives the same results up to rounding).
    /// </summary>
    Fastest = 2,
}
