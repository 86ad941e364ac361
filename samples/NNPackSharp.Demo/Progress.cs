using System.Diagnostics;

namespace NNPackSharp.Demo;

/// <summary>Reports steps on stderr once the work has run past a second; quick runs stay quiet.</summary>
internal sealed class Progress(int total)
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private int done;
    private bool shown;

    public void Step(string label)
    {
        done++;
        if (clock.Elapsed < Threshold)
        {
            return;
        }

        shown = true;
        string line = $"  [{done}/{total}] {label} ({clock.Elapsed.TotalSeconds:F1} s)";
        if (Console.IsErrorRedirected)
        {
            Console.Error.WriteLine(line);
        }
        else
        {
            Console.Error.Write("\r" + line.PadRight(72));
        }
    }

    public void Finish()
    {
        if (shown && !Console.IsErrorRedirected)
        {
            Console.Error.Write("\r" + new string(' ', 72) + "\r");
        }
    }
}
