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
        string regenerated = BindingsEmitter.Generate([.. labels.Select(label => Path.Combine(root, label))], labels);
        Assert.That(regenerated, Is.EqualTo(committed), $"bindings/NNPackNative.g.cs is stale: run `{BindingsEmitter.Command}`");
    }
}
