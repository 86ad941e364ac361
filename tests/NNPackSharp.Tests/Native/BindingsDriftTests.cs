using System.Runtime.InteropServices;
using NNPackSharp.BindingsGenerator;

namespace NNPackSharp.Tests.Native;

/// <summary>The committed bindings must be exactly what the generator makes from the committed header.</summary>
public class BindingsDriftTests
{
    [Test]
    public void GeneratedBindingsMatchTheHeader()
    {
        string root = Repository.Root;
        string[] labels = ["native/include/nnpack.h", "native/include/nnpacksharp.h"];
        string committed = File.ReadAllText(Path.Combine(root, "bindings", "NNPackNative.g.cs"));
        string regenerated;
        try
        {
            regenerated = BindingsEmitter.Generate([.. labels.Select(label => Path.Combine(root, label))], labels);
        }
        catch (DllNotFoundException) when (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            // CI installs libclang for the x86-64 host only; an ARM64 process (the qemu leg) cannot load that one. The
            // bindings do not depend on the architecture, and every x86-64 leg checks them (and fails without libclang).
            Assert.Ignore($"no libclang for {RuntimeInformation.ProcessArchitecture} here; the x86-64 legs check the bindings");
            return;
        }

        Assert.That(regenerated, Is.EqualTo(committed), $"bindings/NNPackNative.g.cs is stale: run `{BindingsEmitter.Command}`");
    }
}
