using System.Numerics.Tensors;

namespace NNPackSharp.CnnTraining;

/// <summary>
/// The sample's network: conv 3x3 (pad 1) -> ReLU -> max pool 2x2/2 -> conv 3x3 (pad 1) -> ReLU -> max pool 2x2/2
/// -> linear -> softmax, on one-channel square images, 10 classes. Every layer, forward and backward, is a call of
/// the library's public API (Convolution, Activations, Pooling, FullyConnected) on the engine
/// <see cref="Engine"/> names; the model only owns the buffers and the SGD update.
/// </summary>
public sealed class SmallCnn
{
    public const int Classes = 10;

    private static readonly Size2D Same = new(1), Unit = new(1), Pool = new(2);

    private readonly int size, channels1, channels2;
    private readonly Parameter conv1Weight, conv1Bias, conv2Weight, conv2Bias, linearWeight, linearBias;
    private readonly Dictionary<int, BatchBuffers> buffers = [];

    /// <summary>He-initialised convolutions, a linear layer scaled by 1/sqrt(its inputs), zero biases, all from <paramref name="random"/>.</summary>
    public SmallCnn(int imageSize, int channels1, int channels2, Random random)
    {
        size = imageSize;
        this.channels1 = channels1;
        this.channels2 = channels2;
        int features = BuffersFor(1).Pool2.Values.Length; // the second pooling's output of one image
        conv1Weight = new Parameter([channels1, 1, 3, 3], MathF.Sqrt(2f / 9), random);
        conv1Bias = new Parameter([channels1], 0, random);
        conv2Weight = new Parameter([channels2, channels1, 3, 3], MathF.Sqrt(2f / (9 * channels1)), random);
        conv2Bias = new Parameter([channels2], 0, random);
        linearWeight = new Parameter([Classes, features], MathF.Sqrt(1f / features), random);
        linearBias = new Parameter([Classes], 0, random);
    }

    /// <summary>The engine every layer runs on; the managed one unless set.</summary>
    public Engine Engine { get; set; } = Engine.Managed;

    /// <summary>One SGD step on a batch: forward, loss, backward, update. Returns the batch's mean loss and how many it classified right.</summary>
    public (float Loss, int Correct) TrainStep(LabelledImages data, ReadOnlySpan<int> batch, float learningRate)
    {
        BatchBuffers b = Load(data, batch);
        Forward(b);
        Activations.Softmax<float>(b.Logits.ReadOnly, b.Probabilities.Span, Engine.Operators);
        float loss = SoftmaxCrossEntropy.LossAndGradient(b.Probabilities.Values, b.Labels, b.GradLogits.Values, out int correct);
        Backward(b);
        foreach (Parameter parameter in new[] { conv1Weight, conv1Bias, conv2Weight, conv2Bias, linearWeight, linearBias })
        {
            parameter.Step(learningRate);
        }

        return (loss, correct);
    }

    /// <summary>How many images of <paramref name="batch"/> the model classifies right (forward pass only).</summary>
    public int CountCorrect(LabelledImages data, ReadOnlySpan<int> batch)
    {
        BatchBuffers b = Load(data, batch);
        Forward(b);
        return SoftmaxCrossEntropy.CountCorrect(b.Logits.Values, b.Labels);
    }

    private BatchBuffers Load(LabelledImages data, ReadOnlySpan<int> batch)
    {
        BatchBuffers b = BuffersFor(batch.Length);
        data.CopyBatch(batch, b.Input.Values, b.Labels);
        return b;
    }

    private BatchBuffers BuffersFor(int batch)
    {
        if (!buffers.TryGetValue(batch, out BatchBuffers? b))
        {
            b = new BatchBuffers(batch, size, channels1, channels2, Classes, Pool);
            buffers.Add(batch, b);
        }

        return b;
    }

    private void Forward(BatchBuffers b)
    {
        Conv2DAlgorithm convolutions = Engine.Convolutions;
        OperatorEngine operators = Engine.Operators;
        Convolution.Conv2D<float>(b.Input.ReadOnly, conv1Weight.Value, conv1Bias.Value, b.Conv1.Span, Same, Unit, convolutions);
        Activations.Relu<float>(b.Conv1.ReadOnly, b.Conv1.Span, operators);
        Pooling.MaxPool2D<float>(b.Conv1.ReadOnly, b.Pool1.Span, Pool, default, Pool, operators);
        Convolution.Conv2D<float>(b.Pool1.ReadOnly, conv2Weight.Value, conv2Bias.Value, b.Conv2.Span, Same, Unit, convolutions);
        Activations.Relu<float>(b.Conv2.ReadOnly, b.Conv2.Span, operators);
        Pooling.MaxPool2D<float>(b.Conv2.ReadOnly, b.Pool2.Span, Pool, default, Pool, operators);
        FullyConnected.Forward<float>(b.Pool2.Matrix, linearWeight.Value, linearBias.Value, b.Logits.Span, operators);
    }

    /// <summary>
    /// From the logits' gradient back to every parameter's. ReLU ran in place, so its backward reads its output,
    /// which is positive exactly where its input was. The first convolution's input gradient is not computed.
    /// </summary>
    private void Backward(BatchBuffers b)
    {
        Conv2DAlgorithm convolutions = Engine.Convolutions;
        OperatorEngine operators = Engine.Operators;
        FullyConnected.Backward<float>(b.Pool2.Matrix, linearWeight.Value, b.GradLogits.ReadOnly, b.GradPool2.Matrix,
            linearWeight.Gradient, linearBias.Gradient, Engine.LinearBackward);
        Pooling.MaxPool2DBackward<float>(b.Conv2.ReadOnly, b.GradPool2.ReadOnly, b.GradConv2Output.Span, Pool, default, Pool);
        Activations.ReluBackward<float>(b.GradConv2Output.ReadOnly, b.Conv2.ReadOnly, b.GradConv2.Span, operators);
        Convolution.Conv2DBackward<float>(b.Pool1.ReadOnly, conv2Weight.Value, b.GradConv2.ReadOnly, b.GradPool1.Span,
            conv2Weight.Gradient, conv2Bias.Gradient, Same, Unit, convolutions);
        Pooling.MaxPool2DBackward<float>(b.Conv1.ReadOnly, b.GradPool1.ReadOnly, b.GradConv1Output.Span, Pool, default, Pool);
        Activations.ReluBackward<float>(b.GradConv1Output.ReadOnly, b.Conv1.ReadOnly, b.GradConv1.Span, operators);
        Convolution.Conv2DBackward<float>(b.Input.ReadOnly, conv1Weight.Value, b.GradConv1.ReadOnly, default,
            conv1Weight.Gradient, conv1Bias.Gradient, Same, Unit, convolutions);
    }
}
