namespace NNPackSharp.Gemm;

/// <summary>
/// The few vector operations the GEMM ukernel needs, as static abstract members so that one
/// ukernel source compiles to a separate, fully inlined body per vector width (the operator-struct
/// pattern of <c>TensorPrimitives</c>).
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <typeparam name="TVector">The register type: a SIMD vector of <typeparamref name="T"/>, or <typeparamref name="T"/> itself.</typeparam>
internal unsafe interface IVectorOps<T, TVector>
    where T : unmanaged
    where TVector : struct
{
    /// <summary>Elements per register.</summary>
    static abstract int Count { get; }

    /// <summary>True when this width runs in hardware on this CPU (and the JIT has not been told to avoid it).</summary>
    static abstract bool IsSupported { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Load(T* source);

    static abstract void Store(T* destination, TVector value);

    static abstract TVector Broadcast(T value);

    /// <summary><c>a*b + c</c>, fused where the hardware has FMA, otherwise a multiply and an add.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    static abstract TVector Add(TVector a, TVector b);

    /// <summary>The sum of the lanes, in an order fixed for the width (the dot-product kernel's reduction).</summary>
    static abstract T Sum(TVector value);
}
