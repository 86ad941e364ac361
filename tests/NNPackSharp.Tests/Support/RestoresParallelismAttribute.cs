using NUnit.Framework.Interfaces;

namespace NNPackSharp.Tests.Support;

/// <summary>
/// Puts <see cref="Convolution.MaxDegreeOfParallelism"/> back to its value before each test of the class it marks, so
/// a test that changes it (or fails half way) leaves the others their default, and asserts the native library loads
/// when <see cref="NeedsNativeLibrary"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class RestoresParallelismAttribute : Attribute, ITestAction
{
    private int saved;

    /// <summary>The marked tests exercise the native engine, so a library that does not load fails them (CI builds it).</summary>
    public bool NeedsNativeLibrary { get; init; }

    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
        saved = Convolution.MaxDegreeOfParallelism;
        if (NeedsNativeLibrary)
        {
            Assert.That(NNPackNativeLibrary.IsAvailable, Is.True, "the native library must load here; loader diagnostic:\n" + NNPackNativeLibrary.Diagnostics);
        }
    }

    public void AfterTest(ITest test) => Convolution.MaxDegreeOfParallelism = saved;
}
