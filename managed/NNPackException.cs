namespace NNPackSharp;

/// <summary>The native NNPACK library returned a status other than success.</summary>
public sealed class NNPackException : Exception
{
    /// <summary>Creates the exception for <paramref name="function"/>'s status.</summary>
    /// <param name="function">The C function that failed.</param>
    /// <param name="statusCode">Its <c>enum nnp_status</c> value.</param>
    /// <param name="statusName">The status's name, such as <c>OutOfMemory</c>.</param>
    public NNPackException(string function, int statusCode, string statusName)
        : base($"{function} returned NNPACK status {statusCode} ({statusName}).")
    {
        Function = function;
        StatusCode = statusCode;
        StatusName = statusName;
    }

    /// <summary>The C function that failed.</summary>
    public string Function { get; }

    /// <summary>The <c>enum nnp_status</c> value it returned.</summary>
    public int StatusCode { get; }

    /// <summary>The status's name.</summary>
    public string StatusName { get; }
}

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
