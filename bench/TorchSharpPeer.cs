using TorchSharp;

namespace NNPackSharp.Bench;

/// <summary>Prepares TorchSharp (the peer) for loading on this machine: weakens the one C++ runtime version its bridge over-asks for.</summary>
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
        torch.InitializeDeviceType(DeviceType.CPU);
        return $"{note}; libtorch {torch.__version__}";
    }
}
