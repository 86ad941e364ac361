using System.Globalization;
using NNPackSharp;
using NNPackSharp.CnnTraining;
using NNPackSharp.TrainCnn;

// Trains the small CNN of NNPackSharp.CnnTraining on synthetic digits, once per engine from the same seed, printing a
// progress bar, the loss and the train/held-out accuracy per epoch with its time, then writes the curves as a PNG.
TrainCnnOptions options;
try
{
    options = TrainCnnOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"{e.Message}{Environment.NewLine}usage: {TrainCnnOptions.Usage}");
    return 2;
}

if (options.Threads > 0)
{
    Convolution.MaxDegreeOfParallelism = options.Threads;
}

TrainingOptions t = options.Training;
Console.WriteLine($"NNPackSharp CNN sample: {t.TrainSamples} training and {t.TestSamples} held-out digits, {t.ImageSize}x{t.ImageSize}, "
    + $"rendered from a 5x7 font with random size, slant, stroke, position and noise (seed {t.Seed})");
Console.WriteLine($"  model: conv 3x3x{t.Channels1} -> ReLU -> max pool 2x2 -> conv 3x3x{t.Channels2} -> ReLU -> max pool 2x2 -> linear 10 -> softmax cross-entropy");
Console.WriteLine($"  plain SGD, batch {t.BatchSize}, learning rate {t.LearningRate.ToString(CultureInfo.InvariantCulture)}, {t.Epochs} epochs, "
    + $"{Convolution.MaxDegreeOfParallelism} thread(s) per call");
Console.WriteLine($"  native library: {(NNPackNativeLibrary.IsAvailable ? $"loaded, ISA {NNPackNativeLibrary.Isa}" : "not available")}");

var runs = new List<(string Engine, IReadOnlyList<EpochResult> Epochs)>();
foreach (Engine engine in options.Engines)
{
    Console.WriteLine();
    if (engine == Engine.Native && !NNPackNativeLibrary.IsAvailable)
    {
        Console.WriteLine($"== {engine}: skipped, libnnpack does not load here:");
        Console.WriteLine("   " + NNPackNativeLibrary.Diagnostics.ReplaceLineEndings(Environment.NewLine + "   "));
        continue;
    }

    Console.WriteLine($"== {engine} engine (convolutions: {Convolution.ResolveAlgorithm<float>(engine.Convolutions)})");
    var trainer = new Trainer(t, engine);
    var epochs = new List<EpochResult>();
    var bar = new ProgressBar(EpochLabel(1), trainer.BatchesPerEpoch);
    foreach (EpochResult epoch in trainer.Run(done => bar.Update(done)))
    {
        bar.Finish(string.Create(CultureInfo.InvariantCulture,
            $"loss {epoch.Loss:F4}  train {100 * epoch.TrainAccuracy:F1}%  test {100 * epoch.TestAccuracy:F1}%  "
            + $"{epoch.TrainTime.TotalSeconds:F2} s (+ {epoch.TestTime.TotalSeconds:F2} s test)"));
        epochs.Add(epoch);
        bar = new ProgressBar(EpochLabel(epoch.Epoch + 1), trainer.BatchesPerEpoch);
    }

    runs.Add((engine.ToString(), epochs));
}

Console.WriteLine();
Console.WriteLine("| engine | held-out accuracy | first epoch | later epochs (median) |");
Console.WriteLine("|---|---:|---:|---:|");
foreach ((string engine, IReadOnlyList<EpochResult> epochs) in runs)
{
    double[] later = epochs.Skip(1).Select(e => e.TrainTime.TotalSeconds).Order().ToArray();
    string median = later.Length == 0 ? "-" : $"{(later[(later.Length - 1) / 2] + later[later.Length / 2]) / 2:F2} s";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {engine} | {100 * epochs[^1].TestAccuracy:F1}% | {epochs[0].TrainTime.TotalSeconds:F2} s | {median} |"));
}

Console.WriteLine("Epoch times are the SGD steps alone (forward, backward, update); the first includes the JIT's warm-up and, on the native engine, libnnpack's first-call measurements.");
CurvePlot.Save(options.PlotPath, runs);
Console.WriteLine($"Plot: {Path.GetFullPath(options.PlotPath)}");
return 0;

string EpochLabel(int epoch) => $"  epoch {epoch}/{t.Epochs}";
