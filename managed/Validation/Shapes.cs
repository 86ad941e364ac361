using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using NNPackSharp.Geometry;

namespace NNPackSharp.Validation;

/// <summary>Checks on tensor shapes that throw <see cref="ArgumentException"/>s naming the argument and its shape.</summary>
internal static class Shapes
{
    /// <summary>Formats a shape as <c>[2,3,4,5]</c>.</summary>
    public static string Format(ReadOnlySpan<nint> lengths) => "[" + string.Join(",", lengths.ToArray()) + "]";

    /// <inheritdoc cref="Format(ReadOnlySpan{nint})"/>
    public static string Format(Shape4 shape) => Format((ReadOnlySpan<nint>)shape);

    public static void RequireRank(ReadOnlySpan<nint> lengths, int rank, string name, string layout)
    {
        if (lengths.Length != rank)
        {
            throw new ArgumentException($"{name} must be a rank-{rank} tensor {layout}; got rank {lengths.Length}, shape {Format(lengths)}.", name);
        }
    }

    /// <summary>Requires every length from <paramref name="first"/> on to be at least 1 (earlier ones at least 0).</summary>
    public static void RequirePositive(ReadOnlySpan<nint> lengths, int first, string name, string layout)
    {
        for (int i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] < (i < first ? 0 : 1))
            {
                throw new ArgumentException($"{name} {layout} has an empty dimension {i}: shape {Format(lengths)}.", name);
            }
        }
    }

    /// <summary>Requires the product of the lengths to fit in one .NET array (the engines index with <see cref="int"/>).</summary>
    public static void RequireAddressable(string name, params ReadOnlySpan<long> lengths)
    {
        long count = 1;
        foreach (long length in lengths)
        {
            if (length > Array.MaxLength || (length != 0 && count > Array.MaxLength / length))
            {
                throw new ArgumentException($"{name} [{string.Join(",", lengths.ToArray())}] has more than {Array.MaxLength} elements, the most one .NET array holds.", name);
            }

            count *= length;
        }
    }

    /// <summary>Requires <paramref name="actual"/> to be <paramref name="expected"/>; <paramref name="why"/> says what that shape is.</summary>
    public static void RequireShape(ReadOnlySpan<nint> actual, Shape4 expected, string name, string why)
    {
        if (!actual.SequenceEqual(expected))
        {
            ThrowWrongShape(actual, expected, name, why);
        }
    }

    /// <summary>
    /// Requires an output-shaped argument to be <c>[N,Cout,Hout,Wout]</c> of <paramref name="g"/>; the message adds the
    /// sizes the shape follows from (formatted only on failure, so a valid call allocates nothing).
    /// </summary>
    public static void RequireOutputShape(ReadOnlySpan<nint> actual, in Conv2DGeometry g, string name, string why)
    {
        Shape4 expected = g.OutputShape;
        if (!actual.SequenceEqual(expected))
        {
            ThrowWrongShape(actual, expected, name, $"{why} for input {Format(g.InputShape)}, weight {Format(g.WeightShape)}, padding {g.Padding}, stride {g.Stride}");
        }
    }

    private static void ThrowWrongShape(ReadOnlySpan<nint> actual, Shape4 expected, string name, string why) =>
        throw new ArgumentException($"{name} must have shape {Format(expected)} ({why}); got {Format(actual)}.", name);

    /// <summary>Returns the elements of a dense tensor span as one span, or throws when the span is not dense.</summary>
    public static ReadOnlySpan<T> Dense<T>(scoped in ReadOnlyTensorSpan<T> tensor, string name)
    {
        if (tensor.FlattenedLength == 0)
        {
            return [];
        }

        if (!tensor.IsDense)
        {
            throw new ArgumentException(
                $"{name} must be dense (contiguous row-major); shape {Format(tensor.Lengths)} has strides {Format(tensor.Strides)}. Copy it with ToDenseTensor() first.",
                name);
        }

        return tensor.GetSpan(stackalloc nint[tensor.Rank], checked((int)tensor.FlattenedLength));
    }

    /// <inheritdoc cref="Dense{T}(in ReadOnlyTensorSpan{T}, string)"/>
    public static Span<T> Dense<T>(scoped in TensorSpan<T> tensor, string name)
    {
        ReadOnlySpan<T> elements = Dense(tensor.AsReadOnlyTensorSpan(), name);
        return MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(elements), elements.Length);
    }

    /// <summary>True for the default (absent) tensor span that stands for "no bias".</summary>
    public static bool IsAbsent<T>(in ReadOnlyTensorSpan<T> tensor) => tensor.Rank == 0 && tensor.FlattenedLength == 0;

    /// <summary>Checks a bias (or bias gradient) shape: <c>[Cout,1,1]</c> or <c>[Cout]</c>.</summary>
    public static void RequireBiasShape(ReadOnlySpan<nint> lengths, int outputChannels, string name)
    {
        bool ok = (lengths.Length == 1 && lengths[0] == outputChannels)
            || (lengths.Length == 3 && lengths[0] == outputChannels && lengths[1] == 1 && lengths[2] == 1);
        if (!ok)
        {
            throw new ArgumentException($"{name} must have shape [{outputChannels},1,1] or [{outputChannels}] (one value per output channel); got {Format(lengths)}.", name);
        }
    }
}
