using BenchmarkDotNet.Running;
using NNPackSharp.Bench;

// `gemm [size | m n k]`: the managed SGEMM's GFLOP/s per register width. `forward N Cin H Cout k stride pad`: a
// stopwatch best-of-20 of the managed forward on one thread. Anything else goes to BenchmarkDotNet
// (for example `--filter *` for every layer, or `--filter * --anyCategories` ... as BenchmarkDotNet documents).
if (args.Length > 0 && args[0] == "forward")
{
    ForwardProbe.Run(args.Skip(1).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    return;
}

if (args.Length > 0 && args[0] == "gemm")
{
    int[] size = args.Skip(1).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    (int m, int n, int k) = size.Length == 3 ? (size[0], size[1], size[2]) : size.Length == 1 ? (size[0], size[0], size[0]) : (1024, 1024, 1024);
    GemmThroughput.Run(m, n, k, threads: 1);
    GemmThroughput.Run(m, n, k, threads: Environment.ProcessorCount);
    return;
}

Console.WriteLine(TorchSharpPeer.EnsureLoaded());
BenchmarkSwitcher.FromAssembly(typeof(Conv2DBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
