using System.Numerics.Tensors;

namespace NNPackSharp.CnnTraining;

/// <summary>
/// The loss on the softmax's probabilities: the mean of -log p[label] over the batch. Its gradient with respect to the
/// logits is (p - onehot(label)) / N, taken in that fused form (as Arraymancer's softmax_cross_entropy_backward does):
/// going through dL/dp = -1/p would divide by probabilities that underflow to 0 on confident mistakes.
/// </summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>Returns the mean loss, writes the logits' gradient and counts the rows whose most probable class is the label.</summary>
    public static float LossAndGradient(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, Span<float> gradLogits, out int correct)
    {
        int batch = labels.Length, classes = probabilities.Length / batch;
        double loss = 0;
        TensorPrimitives.Multiply(probabilities, 1f / batch, gradLogits);
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<float> row = probabilities.Slice(i * classes, classes);
            loss -= Math.Log(Math.Max(row[labels[i]], float.Epsilon));
            gradLogits[(i * classes) + labels[i]] -= 1f / batch;
        }

        correct = CountCorrect(probabilities, labels);
        return (float)(loss / batch);
    }

    /// <summary>How many rows of <paramref name="scores"/> (logits or probabilities) have their largest entry at the label.</summary>
    public static int CountCorrect(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        int classes = scores.Length / labels.Length, correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            correct += TensorPrimitives.IndexOfMax(scores.Slice(i * classes, classes)) == labels[i] ? 1 : 0;
        }

        return correct;
    }
}
