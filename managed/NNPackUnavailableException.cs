namespace NNPackSharp;

/// <summary>
/// <see cref="Conv2DAlgorithm.NNPackAuto"/> was asked for, but the native library could not be loaded or refuses this
/// CPU. <see cref="Exception.Message"/> includes everything the loader tried; <see cref="Conv2DAlgorithm.Fastest"/>
/// falls back to the managed engine instead of throwing.
/// </summary>
public sealed class NNPackUnavailableException : NotSupportedException
{
    /// <summary>Creates the exception with the loader's diagnostic.</summary>
    /// <param name="diagnostics">What the loader tried, one attempt per line.</param>
    public NNPackUnavailableException(string diagnostics)
        : base("Conv2DAlgorithm.NNPackAuto needs NNPackSharp's native library (libnnpack), which is not available. Tried:" + Environment.NewLine + diagnostics
            + Environment.NewLine + "Use Conv2DAlgorithm.Im2ColGemm, or Conv2DAlgorithm.Fastest to use the native engine only where it loads.") =>
        Diagnostics = diagnostics;

    /// <summary>What the loader tried, one attempt per line.</summary>
    public string Diagnostics { get; }
}
