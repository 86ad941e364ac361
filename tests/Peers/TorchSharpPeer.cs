using TorchSharp;

namespace NNPackSharp.Peers;

/// <summary>
/// Prepares the peers for loading on this machine: weakens the one C++ runtime version TorchSharp's bridge over-asks
/// for, and initialises upstream NNPACK (inside libtorch_cpu.so) with the cache sizes this VM hides.
/// </summary>
internal static class TorchSharpPeer
{
    private static readonly Lazy<string> Initialization = new(Initialize);

    /// <summary>Patches the benchmark's copy of <c>libLibTorchSharp.so</c> once, then loads libtorch; returns what it did.</summary>
    public static string EnsureLoaded() => Initialization.Value;

    private static string Initialize()
    {
        string bridge = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        string note = File.Exists(bridge) && ElfVersionRequirement.MakeWeak(bridge, "GLIBCXX_3.4.32")
            ? "GLIBCXX_3.4.32 requirement of bin/ libLibTorchSharp.so marked weak"
            : "libLibTorchSharp.so needed no patch";
        // libtorch asks NNPACK whether it is available (nnp_initialize, once) on its first convolution; upstream NNPACK
        // must have its cache sizes by then or it stays uninitialised for the life of the process.
        string upstream = UpstreamNNPack.Note;
        torch.InitializeDeviceType(DeviceType.CPU);
        return $"{note}; {upstream}; libtorch {torch.__version__}";
    }
}
