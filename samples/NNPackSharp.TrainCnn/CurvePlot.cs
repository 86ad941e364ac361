using NNPackSharp.CnnTraining;
using ScottPlot;

namespace NNPackSharp.TrainCnn;

/// <summary>
/// The loss and accuracy curves of every engine's run, side by side in one PNG (ScottPlot, drawn by SkiaSharp with no
/// display: ScottPlot brings SkiaSharp.NativeAssets.Linux.NoDependencies, so a bare Linux box needs no fontconfig or X).
/// </summary>
internal static class CurvePlot
{
    public static void Save(string path, IReadOnlyList<(string Engine, IReadOnlyList<EpochResult> Epochs)> runs)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Plot loss = multiplot.GetPlot(0), accuracy = multiplot.GetPlot(1);
        var palette = new ScottPlot.Palettes.Category10();
        for (int r = 0; r < runs.Count; r++)
        {
            (string engine, IReadOnlyList<EpochResult> epochs) = runs[r];
            Color color = palette.GetColor(r);
            // A later run draws dashed, so curves that coincide (the engines agree to float rounding) stay visible.
            LinePattern pattern = r == 0 ? LinePattern.Solid : LinePattern.Dashed;
            AddBatchLosses(loss, engine, epochs, color, pattern);
            double[] ends = epochs.Select(e => (double)e.Epoch).ToArray();
            AddCurve(accuracy, ends, epochs.Select(e => 100 * e.TrainAccuracy).ToArray(), $"{engine} train", color.Lighten(0.4), pattern);
            AddCurve(accuracy, ends, epochs.Select(e => 100 * e.TestAccuracy).ToArray(), $"{engine} test (held out)", color, pattern);
        }

        loss.Title("Loss (softmax cross-entropy per batch)");
        loss.XLabel("epoch");
        loss.YLabel("loss");
        loss.ShowLegend(Alignment.UpperRight);
        accuracy.Title("Accuracy after each epoch");
        accuracy.XLabel("epoch");
        accuracy.YLabel("% classified right");
        accuracy.ShowLegend(Alignment.LowerRight);
        multiplot.SavePng(path, 1200, 480);
    }

    /// <summary>Each batch's loss at its place in the epochs (x = epochs done), one line per run.</summary>
    private static void AddBatchLosses(Plot plot, string engine, IReadOnlyList<EpochResult> epochs, Color color, LinePattern pattern)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (EpochResult epoch in epochs)
        {
            for (int i = 0; i < epoch.BatchLosses.Count; i++)
            {
                xs.Add(epoch.Epoch - 1 + ((i + 1.0) / epoch.BatchLosses.Count));
                ys.Add(epoch.BatchLosses[i]);
            }
        }

        var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), color);
        line.LegendText = engine;
        line.LinePattern = pattern;
    }

    private static void AddCurve(Plot plot, double[] xs, double[] ys, string label, Color color, LinePattern pattern)
    {
        var line = plot.Add.Scatter(xs, ys, color);
        line.LegendText = label;
        line.LinePattern = pattern;
        line.MarkerSize = 6;
    }
}
