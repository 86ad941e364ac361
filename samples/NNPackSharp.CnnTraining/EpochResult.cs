namespace NNPackSharp.CnnTraining;

/// <summary>What one epoch measured.</summary>
/// <param name="Epoch">1 for the first epoch.</param>
/// <param name="Loss">The mean of the epoch's batch losses.</param>
/// <param name="TrainAccuracy">The fraction of the epoch's training images classified right as they were trained on (the weights moving meanwhile).</param>
/// <param name="TestAccuracy">The fraction of the held-out images classified right after the epoch.</param>
/// <param name="TrainTime">The epoch's SGD steps (forward, backward, update), without the held-out evaluation.</param>
/// <param name="TestTime">The held-out evaluation (forward passes).</param>
/// <param name="BatchLosses">Each step's batch loss, in order.</param>
public sealed record EpochResult(int Epoch, double Loss, double TrainAccuracy, double TestAccuracy, TimeSpan TrainTime, TimeSpan TestTime, IReadOnlyList<float> BatchLosses);
