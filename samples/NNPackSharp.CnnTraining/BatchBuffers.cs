namespace NNPackSharp.CnnTraining;

/// <summary>
/// Every activation and activation gradient of one batch size, allocated once and reused by each step, so a step
/// runs the library's allocation-free overloads. ReLU runs in place on the convolutions' outputs.
/// </summary>
internal sealed class BatchBuffers
{
    public BatchBuffers(int batch, int size, int channels1, int channels2, int classes, Size2D pool)
    {
        Input = new TensorBuffer([batch, 1, size, size]);
        Labels = new int[batch];
        Conv1 = new TensorBuffer([batch, channels1, size, size]);
        Pool1 = new TensorBuffer(Pooling.MaxPool2DOutputShape(Conv1.Shape, pool, default, pool));
        Conv2 = new TensorBuffer([batch, channels2, Pool1.Shape[2], Pool1.Shape[3]]);
        Pool2 = new TensorBuffer(Pooling.MaxPool2DOutputShape(Conv2.Shape, pool, default, pool));
        Logits = new TensorBuffer([batch, classes]);
        Probabilities = new TensorBuffer([batch, classes]);
        GradLogits = new TensorBuffer([batch, classes]);
        GradPool2 = new TensorBuffer(Pool2.Shape);
        GradConv2Output = new TensorBuffer(Conv2.Shape);
        GradConv2 = new TensorBuffer(Conv2.Shape);
        GradPool1 = new TensorBuffer(Pool1.Shape);
        GradConv1Output = new TensorBuffer(Conv1.Shape);
        GradConv1 = new TensorBuffer(Conv1.Shape);
    }

    public TensorBuffer Input { get; }

    public int[] Labels { get; }

    /// <summary>The first convolution's output, then (in place) its ReLU.</summary>
    public TensorBuffer Conv1 { get; }

    public TensorBuffer Pool1 { get; }

    /// <summary>The second convolution's output, then (in place) its ReLU.</summary>
    public TensorBuffer Conv2 { get; }

    /// <summary>The linear layer's input, seen as <c>[N, features]</c>.</summary>
    public TensorBuffer Pool2 { get; }

    public TensorBuffer Logits { get; }

    public TensorBuffer Probabilities { get; }

    public TensorBuffer GradLogits { get; }

    public TensorBuffer GradPool2 { get; }

    /// <summary>The gradient with respect to the second ReLU's output (from the pooling's backward).</summary>
    public TensorBuffer GradConv2Output { get; }

    /// <summary>The gradient with respect to the second convolution's output (through the ReLU).</summary>
    public TensorBuffer GradConv2 { get; }

    public TensorBuffer GradPool1 { get; }

    public TensorBuffer GradConv1Output { get; }

    public TensorBuffer GradConv1 { get; }
}
