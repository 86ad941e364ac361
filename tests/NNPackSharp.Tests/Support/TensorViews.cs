using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Support;

/// <summary>The tensors and views the invalid-call catalogues build: filled tensors, and dense, strided or overlapping views of spare memory.</summary>
internal static class TensorViews
{
    /// <summary>A dense view of <paramref name="shape"/> at <paramref name="offset"/> of <paramref name="storage"/>.</summary>
    public static TensorSpan<float> View(float[] storage, int offset, params nint[] shape) =>
        new(storage.AsSpan(offset, (int)shape.Aggregate(1L, (a, b) => a * b)), shape, []);

    /// <summary>A view of <paramref name="shape"/> in <paramref name="storage"/> that skips every other outermost slice.</summary>
    public static TensorSpan<float> NonDense(float[] storage, nint[] shape)
    {
        var strides = new nint[shape.Length];
        nint stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= shape[i];
        }

        strides[0] *= 2;
        return new TensorSpan<float>(storage.AsSpan(0, (int)(2 * stride)), shape, strides);
    }

    public static Tensor<float> Ones(params nint[] shape) => Filled(1f, shape);

    public static Tensor<float> Filled(float value, params nint[] shape) =>
        Tensor.Create(Enumerable.Repeat(value, (int)shape.Aggregate(1L, (a, b) => a * b)).ToArray(), shape);
}
