using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace NNPackSharp.Bench;

/// <summary>
/// In-process (the TorchSharp bridge is patched in this process's bin/ folder, which a separately built child
/// would not have), one invocation per iteration (each call is milliseconds to a second), six warm-up iterations (so
/// the JIT has finished tiering the managed engine up before measuring), and a GFLOP/s column.
/// </summary>
public sealed class Conv2DBenchmarkConfig : ManualConfig
{
    public Conv2DBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(6)
            .WithIterationCount(7)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("conv"));
        AddColumn(new GflopsColumn());
        AddColumnProvider(DefaultColumnProviders.Instance);
        HideColumns(Column.Error, Column.StdDev, Column.Job, Column.RatioSD);
        WithOptions(ConfigOptions.JoinSummary);
    }

    /// <summary>GFLOP/s by the direct-convolution count of the benchmark's layer, over the mean time.</summary>
    private sealed class GflopsColumn : IColumn
    {
        public string Id => "GFLOPs";

        public string ColumnName => "GFLOP/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "2*N*Cout*Hout*Wout*Cin*kH*kW / mean time, in 1e9 per second";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            BenchmarkReport? report = summary[benchmarkCase];
            if (report?.ResultStatistics is null || benchmarkCase.Parameters["Layer"] is not ConvLayer layer)
            {
                return "-";
            }

            return (layer.Flops / report.ResultStatistics.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
