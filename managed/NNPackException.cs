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
