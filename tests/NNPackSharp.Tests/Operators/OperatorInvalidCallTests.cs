namespace NNPackSharp.Tests.Operators;

/// <summary>
/// Runs every case of <see cref="OperatorInvalidCalls"/> on every engine: the exact exception, naming the argument
/// (and mentioning the shapes or the reason), with every destination untouched; and checks that the README's table of
/// invalid operator calls lists exactly these cases.
/// </summary>
[RestoresParallelism]
public class OperatorInvalidCallTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        from c in OperatorInvalidCalls.All
        from engine in new[] { OperatorEngine.Managed, OperatorEngine.Native, OperatorEngine.Fastest }
        select new TestCaseData(c, engine).SetArgDisplayNames(c.Description, engine.ToString());

    [TestCaseSource(nameof(Cases))]
    public void ThrowsNamingTheArgumentAndWritesNothing(object invalidCall, OperatorEngine engine)
    {
        var c = (OperatorInvalidCalls.Case)invalidCall;
        var destinations = new OperatorInvalidCalls.Sentinels();
        InvalidCallChecks.ThrowsNamingTheArgumentAndWritesNothing(c.Exception, c.ParamName, c.Mentions, () => c.Call(destinations, engine), destinations.Written);
    }

    [Test]
    public void CasesAreDistinct() =>
        Assert.That(OperatorInvalidCalls.All.Select(c => c.Description), Is.Unique);

    [Test]
    public void ReadmeTableListsExactlyTheCasesTheSuiteTries()
    {
        string[] rows = InvalidCallChecks.ReadmeRows("### Invalid operator calls", "| operator case ");
        string[] expected = [.. OperatorInvalidCalls.All.Select(c => c.ReadmeRow)];
        Assert.Multiple(() =>
        {
            Assert.That(expected.Except(rows), Is.Empty, "rows the README's table lacks");
            Assert.That(rows.Except(expected), Is.Empty, "README rows no test tries");
        });
    }
}
