namespace NNPackSharp.CnnTraining;

/// <summary>
/// One training run's sizes and hyper-parameters. The defaults are the sample's; the test trains a smaller run.
/// </summary>
/// <param name="TrainSamples">Images in the training split.</param>
/// <param name="TestSamples">Images in the held-out split (drawn after the training images, from the same seed).</param>
/// <param name="ImageSize">The side of each image in pixels.</param>
/// <param name="Channels1">The first convolution's output channels.</param>
/// <param name="Channels2">The second convolution's output channels.</param>
/// <param name="Epochs">Passes over the training split.</param>
/// <param name="BatchSize">Images per SGD step (the last, incomplete batch of an epoch is left out; the shuffle changes which).</param>
/// <param name="LearningRate">Plain SGD's step size.</param>
/// <param name="Seed">Seeds the images, the initial weights and the shuffles: the same run, whatever the engine.</param>
public sealed record TrainingOptions(
    int TrainSamples = 8000,
    int TestSamples = 2000,
    int ImageSize = 28,
    int Channels1 = 8,
    int Channels2 = 16,
    int Epochs = 5,
    int BatchSize = 32,
    float LearningRate = 0.1f,
    int Seed = 12);
