namespace NNPackSharp.Tests.Support;

/// <summary>The checkout the tests run from, for tests that compare committed files (bindings, README) with the code.</summary>
internal static class Repository
{
    /// <summary>The folder holding NNPackSharp.sln, found above the test assembly.</summary>
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "NNPackSharp.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new DirectoryNotFoundException("repository root (NNPackSharp.sln) not found above " + AppContext.BaseDirectory);
        }
    }
}
