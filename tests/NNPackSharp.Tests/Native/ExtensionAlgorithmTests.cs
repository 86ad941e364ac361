using System.Globalization;
using System.Text.RegularExpressions;
using NNPackSharp.Interop;

namespace NNPackSharp.Tests.Native;

/// <summary>The algorithm values beyond upstream's enum are macros the bindings generator skips: each C# constant is checked against the header.</summary>
public partial class ExtensionAlgorithmTests
{
    [Test]
    public void Wt6x6MatchesTheHeader()
    {
        string header = File.ReadAllText(Path.Combine(Repository.Root, "native", "include", "nnpacksharp.h"));
        Match definition = Wt6x6Definition().Match(header);
        Assert.That(definition.Success, "nnpacksharp.h no longer defines nnpsharp_convolution_algorithm_wt6x6 as an enum cast");
        int value = int.Parse(definition.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.That(value, Is.EqualTo((int)ExtensionAlgorithms.Wt6x6), "the header's value differs from ExtensionAlgorithms.Wt6x6");
    }

    [GeneratedRegex(@"#define\s+nnpsharp_convolution_algorithm_wt6x6\s+\(\(enum nnp_convolution_algorithm\)\s*0x([0-9A-Fa-f]+)\)")]
    private static partial Regex Wt6x6Definition();
}
