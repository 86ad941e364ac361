using System.Diagnostics;

namespace NNPackSharp.CnnTraining;

/// <summary>
/// Generates the data set, builds the model and trains it with minibatch SGD, epoch after epoch. Everything random
/// comes from <see cref="TrainingOptions.Seed"/>, so two runs on different engines see the same images, start from the
/// same weights and visit the batches in the same order.
/// </summary>
public sealed class Trainer
{
    private readonly TrainingOptions options;
    private readonly SmallCnn model;
    private readonly Random shuffle;
    private readonly int[] order;

    public Trainer(TrainingOptions options, Engine engine)
    {
        if (options.TrainSamples < options.BatchSize)
        {
            throw new ArgumentException($"{options.TrainSamples} training images do not fill one batch of {options.BatchSize}", nameof(options));
        }

        this.options = options;
        var random = new Random(options.Seed);
        Train = SyntheticDigits.Generate(options.TrainSamples, options.ImageSize, random);
        Test = SyntheticDigits.Generate(options.TestSamples, options.ImageSize, random);
        model = new SmallCnn(options.ImageSize, options.Channels1, options.Channels2, random) { Engine = engine };
        shuffle = new Random(options.Seed + 1);
        order = Enumerable.Range(0, Train.Count).ToArray();
    }

    public LabelledImages Train { get; }

    public LabelledImages Test { get; }

    /// <summary>Steps in one epoch: whole batches only.</summary>
    public int BatchesPerEpoch => Train.Count / options.BatchSize;

    /// <summary>Runs every epoch, calling <paramref name="onBatch"/> after each step with the steps done in the epoch.</summary>
    public IEnumerable<EpochResult> Run(Action<int>? onBatch = null)
    {
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            yield return RunEpoch(epoch, onBatch);
        }
    }

    private EpochResult RunEpoch(int epoch, Action<int>? onBatch)
    {
        shuffle.Shuffle(order);
        var losses = new List<float>(BatchesPerEpoch);
        int correct = 0;
        long start = Stopwatch.GetTimestamp();
        for (int step = 0; step < BatchesPerEpoch; step++)
        {
            (float loss, int right) = model.TrainStep(Train, order.AsSpan(step * options.BatchSize, options.BatchSize), options.LearningRate);
            losses.Add(loss);
            correct += right;
            onBatch?.Invoke(step + 1);
        }

        TimeSpan trainTime = Stopwatch.GetElapsedTime(start);
        start = Stopwatch.GetTimestamp();
        double testAccuracy = Evaluate(Test);
        TimeSpan testTime = Stopwatch.GetElapsedTime(start);
        return new EpochResult(epoch, losses.Average(), (double)correct / (BatchesPerEpoch * options.BatchSize), testAccuracy, trainTime, testTime, losses);
    }

    /// <summary>The fraction of <paramref name="data"/> the model classifies right, in batches of the training size (the last one shorter).</summary>
    public double Evaluate(LabelledImages data)
    {
        int[] all = Enumerable.Range(0, data.Count).ToArray();
        int correct = 0;
        for (int start = 0; start < all.Length; start += options.BatchSize)
        {
            correct += model.CountCorrect(data, all.AsSpan(start, Math.Min(options.BatchSize, all.Length - start)));
        }

        return (double)correct / data.Count;
    }
}
