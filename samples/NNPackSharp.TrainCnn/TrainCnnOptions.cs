using System.Globalization;
using NNPackSharp.CnnTraining;

namespace NNPackSharp.TrainCnn;

/// <summary>The sample's command line.</summary>
/// <param name="Training">The run's sizes and hyper-parameters.</param>
/// <param name="Engines">The engines to train on, one run each, in order.</param>
/// <param name="PlotPath">Where the PNG of the curves goes.</param>
/// <param name="Threads">Threads per call (Convolution.MaxDegreeOfParallelism); 0 leaves the default (every core).</param>
internal sealed record TrainCnnOptions(TrainingOptions Training, IReadOnlyList<Engine> Engines, string PlotPath, int Threads)
{
    public const string Usage =
        "NNPackSharp.TrainCnn [--epochs 5] [--samples 8000] [--test-samples 2000] [--size 28] [--batch 32] [--learning-rate 0.1] "
        + "[--seed 12] [--engine both|managed|native|fastest] [--threads N] [--out train-cnn.png]";

    public static TrainCnnOptions Parse(IReadOnlyList<string> args)
    {
        var options = new TrainCnnOptions(new TrainingOptions(), [Engine.Managed, Engine.Native], "train-cnn.png", 0);
        for (int i = 0; i < args.Count; i++)
        {
            string value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            TrainingOptions t = options.Training;
            options = args[i] switch
            {
                "--epochs" => options with { Training = t with { Epochs = Positive(value) } },
                "--samples" => options with { Training = t with { TrainSamples = Positive(value) } },
                "--test-samples" => options with { Training = t with { TestSamples = Positive(value) } },
                "--size" => options with { Training = t with { ImageSize = Positive(value) } },
                "--batch" => options with { Training = t with { BatchSize = Positive(value) } },
                "--learning-rate" => options with { Training = t with { LearningRate = float.Parse(value, CultureInfo.InvariantCulture) } },
                "--seed" => options with { Training = t with { Seed = int.Parse(value, CultureInfo.InvariantCulture) } },
                "--engine" => options with { Engines = ParseEngine(value) },
                "--threads" => options with { Threads = Positive(value) },
                "--out" => options with { PlotPath = value },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
            };
            i++;
        }

        return options;
    }

    private static Engine[] ParseEngine(string value) => value switch
    {
        "both" => [Engine.Managed, Engine.Native],
        "managed" => [Engine.Managed],
        "native" => [Engine.Native],
        "fastest" => [Engine.Fastest],
        _ => throw new ArgumentException($"unknown engine '{value}': both, managed, native or fastest"),
    };

    private static int Positive(string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) && number > 0
            ? number
            : throw new ArgumentException($"'{value}' is not a positive integer");
}
