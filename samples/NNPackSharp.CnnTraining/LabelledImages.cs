namespace NNPackSharp.CnnTraining;

/// <summary>One-channel square images, stored one after another, and their class labels (0-9).</summary>
public sealed class LabelledImages(float[] pixels, int[] labels, int size)
{
    /// <summary>The images' pixels, <c>[Count, Size, Size]</c> row-major.</summary>
    public ReadOnlyMemory<float> Pixels => pixels;

    public IReadOnlyList<int> Labels => labels;

    /// <summary>The side of each image, in pixels.</summary>
    public int Size => size;

    public int Count => labels.Length;

    /// <summary>Copies the images <paramref name="order"/> names into a batch <c>[order.Length,1,Size,Size]</c> and their labels.</summary>
    public void CopyBatch(ReadOnlySpan<int> order, Span<float> batchPixels, Span<int> batchLabels)
    {
        int area = size * size;
        for (int i = 0; i < order.Length; i++)
        {
            pixels.AsSpan(order[i] * area, area).CopyTo(batchPixels.Slice(i * area, area));
            batchLabels[i] = labels[order[i]];
        }
    }
}
