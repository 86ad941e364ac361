namespace NNPackSharp.Interop;

/// <summary>Turns native statuses into exceptions (LibGit2Sharp's <c>Ensure</c>): every checked call goes through here.</summary>
internal static class Ensure
{
    /// <summary>Throws an <see cref="NNPackException"/> naming <paramref name="function"/> and the status unless it is success.</summary>
    public static void Success(NnpStatus status, string function)
    {
        if (status != NnpStatus.Success)
        {
            throw new NNPackException(function, (int)status, status.ToString());
        }
    }
}
