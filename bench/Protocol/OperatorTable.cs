namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// The operators' table: per operation of <see cref="FullyConnected"/>, <see cref="Pooling"/>, <see cref="Activations"/>
/// and the convolution with its ReLU fused, TorchSharp's equivalent, our managed engine and libnnpack's operator,
/// measured by the protocol's machinery (<see cref="InterleavedRounds"/>: every thread count of the run in the same rounds,
/// rotating order, pre-rolls, medians).
/// </summary>
internal static class OperatorTable
{
    private const string Torch = "TorchSharp", Managed = "managed", Native = "native";

    public static void Run(ReportWriter report, ProtocolOptions options, List<string> notes)
    {
        IReadOnlyList<OperatorCase> cases = options.TinyOperators ? OperatorCase.Tiny : OperatorCase.Full;
        WriteHeader(report, cases);
        foreach (OperatorCase operation in cases)
        {
            var data = new OperatorData(operation);
            BenchEngine[][] engineSets = options.Threads.Select(_ => Engines(data)).ToArray();
            try
            {
                EngineResult[][] results = InterleavedRounds.Measure(engineSets, options.Threads, operation.Name, Pass.Forward, options.Rounds, notes);
                for (int i = 0; i < options.Threads.Count; i++)
                {
                    WriteRow(report, operation, options.Threads[i], results[i]);
                }
            }
            finally
            {
                foreach (BenchEngine engine in engineSets.SelectMany(set => set))
                {
                    engine.Dispose();
                }
            }
        }
    }

    private static BenchEngine[] Engines(OperatorData data) =>
    [
        new OperatorTorchEngine(data),
        new OperatorLibraryEngine(Managed, OperatorEngine.Managed, data),
        new OperatorLibraryEngine(Native, OperatorEngine.Native, data),
    ];

    private static void WriteHeader(ReportWriter report, IReadOnlyList<OperatorCase> cases)
    {
        report.Line();
        report.Line("## Operators");
        report.Line();
        report.Line($"- engines: {Torch} (torch.nn.functional's linear, max_pool2d, relu, softmax, conv2d + relu_; forwards under no_grad, "
            + $"the backward rows by autograd.grad on a graph built once; FP16 weights: linear in half precision, input cast to half and the "
            + $"result back to float), {Managed} (OperatorEngine.Managed; the convolution Conv2DAlgorithm.Im2ColGemm) and {Native} "
            + "(OperatorEngine.Native: libnnpack; the convolution NNPackAuto) through the allocation-free span overloads into preallocated "
            + "outputs, the ReLU fused into the convolution by Conv2DOptions.Activation. '-': the engine does not compute that operation (see the notes).");
        report.Line("- each cell: median microseconds per call, then GFLOP/s (2 per multiply-add; the linear backward's input and weight gradients "
            + "count 2 products) or GB/s (the bytes an ideal pass moves: each operand read once, each result written once; the single-vector "
            + "rows count the weights alone).");
        report.Line($"- ratios are times: {Torch}/{Managed} = torch's time / managed's (above 1: ours faster), likewise {Torch}/{Native}; "
            + $"{Native}/{Managed} = managed's time / native's (above 1: native faster). spread = the largest (max - min) / median over rounds.");
        report.Line("- operations:");
        foreach (OperatorCase operation in cases)
        {
            report.Line($"  - {operation.Name}: {operation.Describe()}");
        }

        report.Line();
        report.Line($"| operation | threads | {Torch} | {Managed} | {Native} | {Torch}/{Managed} | {Torch}/{Native} | {Native}/{Managed} | spread |");
        report.Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    }

    private static void WriteRow(ReportWriter report, OperatorCase operation, int threads, EngineResult[] results)
    {
        (EngineResult torch, EngineResult managed, EngineResult native) = (results[0], results[1], results[2]);
        string Cell(EngineResult result) => result.MedianSeconds is double s
            ? $"{ReportWriter.F(s * 1e6, "F1")} us, {ReportWriter.F(operation.Work / s / 1e9, "F1")} {operation.Unit}"
            : "-";
        report.Line($"| {operation.Name} | {threads} | {Cell(torch)} | {Cell(managed)} | {Cell(native)} | {ReportWriter.Ratio(torch, managed)} | "
            + $"{ReportWriter.Ratio(torch, native)} | {ReportWriter.Ratio(managed, native)} | {ReportWriter.Spread(results)} |");
    }
}
