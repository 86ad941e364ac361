using NNPackSharp.Bench;

if (args.Length > 0 && args[0] == "gemm")
{
    int size = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1024;
    GemmThroughput.Run(size, threads: 1);
    GemmThroughput.Run(size, threads: Environment.ProcessorCount);
    return;
}
