namespace NNPackSharp.Tests.Support;

/// <summary>What every invalid-call catalogue checks: the exception, the argument it names, the message, nothing written; and the README table's rows.</summary>
internal static class InvalidCallChecks
{
    /// <summary>
    /// Runs <paramref name="call"/> and asserts it throws exactly <paramref name="exception"/> naming
    /// <paramref name="paramName"/>, mentioning <paramref name="mentions"/>, with <paramref name="written"/> still null after it.
    /// </summary>
    public static void ThrowsNamingTheArgumentAndWritesNothing(Type exception, string? paramName, string? mentions, TestDelegate call, Func<string?> written)
    {
        Exception error = Assert.Throws(exception, call)!;
        Assert.Multiple(() =>
        {
            Assert.That((error as ArgumentException)?.ParamName, Is.EqualTo(paramName), $"the argument named by {error.GetType().Name}: {error.Message}");
            if (mentions is not null)
            {
                Assert.That(error.Message, Does.Contain(mentions), "the message");
            }

            Assert.That(written(), Is.Null, "a destination written by an invalid call");
        });
    }

    /// <summary>The rows of the README table under <paramref name="heading"/> whose header starts with <paramref name="header"/>.</summary>
    public static string[] ReadmeRows(string heading, string header)
    {
        string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        int start = readme.IndexOf(heading, StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"README.md has no '{heading}' section");
        return [.. readme[start..].Split('\n').SkipWhile(line => !line.StartsWith(header, StringComparison.Ordinal)).Skip(2)
            .TakeWhile(line => line.StartsWith('|')).Select(line => line.TrimEnd())];
    }
}
