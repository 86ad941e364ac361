namespace NNPackSharp.Tests.Api;

/// <summary>
/// Runs every case of <see cref="InvalidCalls"/> on every engine: the exact exception, naming the argument (and
/// mentioning the shapes where a shape is wrong), with every destination untouched; and checks that the README's
/// table of invalid calls lists exactly these cases, so the table cannot drift from what the suite tries.
/// </summary>
[RestoresParallelism]
public class InvalidCallTests
{
    // README rows the catalogue cannot run in this process, with where they are tested instead.
    private static readonly string[] RowsTestedElsewhere =
    [
        // The library loads in this process; LoaderTests covers the exception's contents, and a machine without the
        // library (the NNPackSharpSkipNative build) gets this throw from Convolution.EngineFor.
        "| `NNPackAuto` where the native library does not load, refuses the CPU, or lacks a function the engine calls | - | `NNPackUnavailableException` (a `NotSupportedException`) naming what the loader tried |",
    ];

    private static IEnumerable<TestCaseData> Cases() =>
        from c in InvalidCalls.All
        from algorithm in new[] { Conv2DAlgorithm.Im2ColGemm, Conv2DAlgorithm.NNPackAuto, Conv2DAlgorithm.Fastest }
        select new TestCaseData(c, algorithm).SetArgDisplayNames(c.Description, algorithm.ToString());

    [TestCaseSource(nameof(Cases))]
    public void ThrowsNamingTheArgumentAndWritesNothing(object invalidCall, Conv2DAlgorithm algorithm)
    {
        var c = (InvalidCalls.Case)invalidCall;
        var destinations = new InvalidCalls.Sentinels();
        InvalidCallChecks.ThrowsNamingTheArgumentAndWritesNothing(c.Exception, c.ParamName, c.Mentions, () => c.Call(destinations, algorithm), destinations.Written);
    }

    [Test]
    public void CasesAreDistinct() =>
        Assert.That(InvalidCalls.All.Select(c => c.Description), Is.Unique);

    [Test]
    public void ReadmeTableListsExactlyTheCasesTheSuiteTries()
    {
        string[] rows = InvalidCallChecks.ReadmeRows("## Invalid calls", "| case ");
        string[] expected = InvalidCalls.All.Select(c => c.ReadmeRow).ToArray();
        string[] missing = expected.Except(rows).ToArray();
        string[] extra = rows.Except(expected).Except(RowsTestedElsewhere).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(missing, Is.Empty, "rows the README's table lacks:\n" + string.Join("\n", missing));
            Assert.That(extra, Is.Empty, "README rows no test tries:\n" + string.Join("\n", extra));
        });
    }
}
