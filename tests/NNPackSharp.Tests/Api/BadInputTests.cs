using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Api;

/// <summary>
/// The messages of the commonest invalid calls in detail (each names the argument and every shape involved), before
/// anything is written. <see cref="InvalidCalls"/> holds every case the suite tries, the README's table.
/// </summary>
public class BadInputTests
{
    private static readonly Tensor<float> Input = Filled([2, 3, 5, 5]);
    private static readonly Tensor<float> Weight = Filled([4, 3, 3, 3]);
    private static readonly Tensor<float> Bias = Filled([4, 1, 1]);

    [Test]
    public void InputOfWrongRank() =>
        AssertForwardThrows(Filled([3, 5, 5]), Weight, Bias, Output(), "input", "rank-4", "[3,5,5]");

    [Test]
    public void WeightOfWrongRank() =>
        AssertForwardThrows(Input, Filled([4, 27]), Bias, Output(), "weight", "rank-4", "[4,27]");

    [Test]
    public void InputChannelMismatch() =>
        AssertForwardThrows(Input, Filled([4, 2, 3, 3]), Bias, Output(), "weight", "[4,2,3,3]", "[2,3,5,5]");

    [Test]
    public void BiasOfWrongLength() =>
        AssertForwardThrows(Input, Weight, Filled([5, 1, 1]), Output(), "bias", "[4,1,1]", "[5,1,1]");

    [Test]
    public void BiasOfWrongRank() =>
        AssertForwardThrows(Input, Weight, Filled([4, 1]), Output(), "bias", "[4]", "[4,1]");

    [Test]
    public void StrideBelowOne()
    {
        var output = Output();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Convolution.Conv2D<float>(Input, Weight, Bias, output, stride: new Size2D(0, 1)));
        Assert.That(error!.ParamName, Is.EqualTo("stride"));
        Assert.That(error.Message, Does.Contain("(0,1)"));
        AssertUntouched(output);
    }

    [Test]
    public void NegativePadding()
    {
        var output = Output();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Convolution.Conv2D<float>(Input, Weight, Bias, output, padding: new Size2D(1, -1)));
        Assert.That(error!.ParamName, Is.EqualTo("padding"));
        Assert.That(error.Message, Does.Contain("(1,-1)"));
        AssertUntouched(output);
    }

    [Test]
    public void KernelLargerThanPaddedInput() =>
        AssertForwardThrows(Input, Filled([4, 3, 6, 3]), Bias, Output(), "weight", "6x3", "5x5");

    [Test]
    public void EmptyDimension() =>
        AssertForwardThrows(Filled([2, 3, 0, 5]), Weight, Bias, Output(), "input", "empty dimension", "[2,3,0,5]");

    [Test]
    public void OutputOfWrongShape() =>
        AssertForwardThrows(Input, Weight, Bias, Filled([2, 4, 3, 4], float.NaN), "output", "[2,4,3,3]", "[2,4,3,4]");

    [Test]
    public void GradOutputOfWrongShape() =>
        AssertBackwardThrows("gradOutput", ["[2,4,3,3]", "[2,4,4,3]"], gradOutput: Filled([2, 4, 4, 3]));

    [Test]
    public void GradInputOfWrongShape() =>
        AssertBackwardThrows("gradInput", ["[2,3,5,5]", "[2,3,5,4]"], gradInput: Filled([2, 3, 5, 4], float.NaN));

    [Test]
    public void GradWeightOfWrongShape() =>
        AssertBackwardThrows("gradWeight", ["[4,3,3,3]", "[4,3,3,2]"], gradWeight: Filled([4, 3, 3, 2], float.NaN));

    [Test]
    public void GradBiasOfWrongShape() =>
        AssertBackwardThrows("gradBias", ["[4]", "[3]"], gradBias: Filled([3], float.NaN));

    [Test]
    public void NonDenseInput()
    {
        // Every other channel of a [2,6,5,5] buffer: the right shape, but strided.
        ReadOnlyTensorSpan<float> strided = new(Enumerable.Repeat(1f, 2 * 6 * 25).ToArray(), [2, 3, 5, 5], [150, 50, 5, 1]);
        Assert.That(strided.IsDense, Is.False, "the test needs a non-dense span");
        var output = Output();
        ArgumentException? error = null;
        try
        {
            Convolution.Conv2D<float>(strided, Weight, Bias, output);
        }
        catch (ArgumentException e)
        {
            error = e;
        }

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.ParamName, Is.EqualTo("input"));
        Assert.That(error.Message, Does.Contain("dense").And.Contain("[150,50,5,1]"));
        AssertUntouched(output);
    }

    [Test]
    public void NonDenseOutput()
    {
        float[] storage = Enumerable.Repeat(float.NaN, 2 * 8 * 9).ToArray();
        TensorSpan<float> strided = new(storage, [2, 4, 3, 3], [72, 18, 3, 1]);
        ArgumentException? error = null;
        try
        {
            Convolution.Conv2D<float>(Input, Weight, Bias, strided);
        }
        catch (ArgumentException e)
        {
            error = e;
        }

        Assert.That(error?.ParamName, Is.EqualTo("output"));
        Assert.That(storage, Is.All.NaN);
    }

    [Test]
    public void OutputOverlappingInput()
    {
        // A [1,1,2,2] output carved from the input's own storage: refused instead of read while being written.
        float[] shared = Enumerable.Repeat(1f, 16).ToArray();
        var error = Assert.Throws<ArgumentException>(() => Convolution.Conv2D<float>(
            new ReadOnlyTensorSpan<float>(shared, [1, 1, 4, 4]), Tensor.Create(new float[9], [1, 1, 3, 3]), default, new TensorSpan<float>(shared, [1, 1, 2, 2])));
        Assert.That(error!.ParamName, Is.EqualTo("output"));
        Assert.That(shared, Is.All.EqualTo(1f));
    }

    [Test]
    public unsafe void ElementCountOverflow()
    {
        // [1,1,40000,40000] fits in an array, but its 3x3 im2col buffer (1.44e10 elements) does not. The spans
        // claim memory they do not have; validation must throw before reading any of it.
        float dummy = 0;
        var input = new ReadOnlyTensorSpan<float>(&dummy, 1_600_000_000, [1, 1, 40000, 40000]);
        var weight = Tensor.Create(new float[9], [1, 1, 3, 3]);
        var output = new TensorSpan<float>(&dummy, 1_600_000_000, [1, 1, 40000, 40000]);
        ArgumentException? error = null;
        try
        {
            Convolution.Conv2D<float>(input, weight, default, output, padding: new Size2D(1, 1));
        }
        catch (ArgumentException e)
        {
            error = e;
        }

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Message, Does.Contain("im2col").And.Contain("40000"));
    }

    [Test]
    public void UnknownAlgorithm()
    {
        var output = Output();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Convolution.Conv2D<float>(Input, Weight, Bias, output, algorithm: (Conv2DAlgorithm)42));
        Assert.That(error!.ParamName, Is.EqualTo("algorithm"));
        AssertUntouched(output);
    }

    [Test]
    public void NullTensor() =>
        Assert.That(() => Convolution.Conv2D<float>(null!, Weight), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("input"));

    [Test]
    public void InvalidParallelism() =>
        Assert.That(() => Convolution.MaxDegreeOfParallelism = 0, Throws.InstanceOf<ArgumentOutOfRangeException>());

    private static Tensor<float> Filled(nint[] shape, float value = 1f)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        return Tensor.Create(Enumerable.Repeat(value, (int)count).ToArray(), shape);
    }

    private static Tensor<float> Output() => Filled([2, 4, 3, 3], float.NaN);

    private static void AssertUntouched(Tensor<float> destination)
    {
        var flat = new float[destination.FlattenedLength];
        destination.FlattenTo(flat);
        Assert.That(flat, Is.All.NaN, "an invalid call wrote to its destination");
    }

    private static void AssertForwardThrows(Tensor<float> input, Tensor<float> weight, Tensor<float> bias, Tensor<float> output, string expectedName, params string[] fragments)
    {
        var error = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => Convolution.Conv2D<float>(input, weight, bias, output)) as ArgumentException;
        Assert.That(error!.ParamName, Is.EqualTo(expectedName));
        foreach (string fragment in fragments)
        {
            Assert.That(error.Message, Does.Contain(fragment));
        }

        AssertUntouched(output);
    }

    private static void AssertBackwardThrows(
        string expectedName, string[] fragments,
        Tensor<float>? gradOutput = null, Tensor<float>? gradInput = null, Tensor<float>? gradWeight = null, Tensor<float>? gradBias = null)
    {
        gradInput ??= Filled([2, 3, 5, 5], float.NaN);
        gradWeight ??= Filled([4, 3, 3, 3], float.NaN);
        gradBias ??= Filled([4], float.NaN);
        Tensor<float> upstream = gradOutput ?? Filled([2, 4, 3, 3]);
        var error = Assert.Throws(
            Is.InstanceOf<ArgumentException>(),
            () => Convolution.Conv2DBackward<float>(Input, Weight, upstream, gradInput, gradWeight, gradBias)) as ArgumentException;
        Assert.That(error!.ParamName, Is.EqualTo(expectedName));
        foreach (string fragment in fragments)
        {
            Assert.That(error.Message, Does.Contain(fragment));
        }

        AssertUntouched(gradInput);
        AssertUntouched(gradWeight);
        AssertUntouched(gradBias);
    }
}
