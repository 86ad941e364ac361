using System.Numerics;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines;

/// <summary>
/// What every engine does: a validated forward or backward call, on up to <c>parallelism</c> threads. An engine
/// writes only the call's destinations, and after warm-up takes all its scratch memory from pools.
/// </summary>
/// <typeparam name="T">The element type the engine computes in.</typeparam>
internal interface IConv2DEngine<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Writes <c>conv2d(input, weight) + bias</c> into the call's output.</summary>
    void Forward(in ForwardCall<T> call, int parallelism);

    /// <summary>Overwrites each non-empty gradient destination of the call; the empty ones are skipped with their work.</summary>
    void Backward(in BackwardCall<T> call, int parallelism);
}
