namespace NNPackSharp.TrainCnn;

/// <summary>
/// One epoch's bar: redrawn in place while the batches run on a terminal, printed once when the epoch ends where the
/// output is redirected (a log gets one line per epoch, not one per batch).
/// </summary>
internal sealed class ProgressBar(string label, int total)
{
    private const int Width = 30;
    private int drawn = -1;

    public void Update(int done)
    {
        int filled = done * Width / total;
        if (Console.IsOutputRedirected || filled == drawn)
        {
            return;
        }

        drawn = filled;
        Console.Write($"\r{Bar(done)}");
    }

    /// <summary>Ends the bar's line with <paramref name="summary"/> (redrawn over the live bar on a terminal; a log gets no carriage return).</summary>
    public void Finish(string summary) => Console.WriteLine($"{(Console.IsOutputRedirected ? string.Empty : "\r")}{Bar(total)}  {summary}");

    private string Bar(int done) =>
        $"{label} [{new string('#', done * Width / total)}{new string('.', Width - (done * Width / total))}] {done,4}/{total} batches";
}
