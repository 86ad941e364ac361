using NNPackSharp.Memory;

namespace NNPackSharp.Interop;

/// <summary>One call of a native function that takes a workspace, ready to be made with any workspace.</summary>
internal unsafe interface IWorkspaceCall
{
    /// <summary>The C function's name, for the exception when it fails.</summary>
    static abstract string Function { get; }

    /// <summary>Calls the function; with a null <paramref name="workspace"/> it only writes the size it needs.</summary>
    NnpStatus Invoke(void* workspace, nuint* workspaceSize);
}

/// <summary>
/// NNPACK's workspace protocol: ask for the size, lend a pooled buffer at least that large, make the call, check both
/// statuses. Generic over a struct per function (no delegate or closure per call), so warm calls allocate nothing.
/// </summary>
internal static unsafe class WorkspaceProtocol
{
    public static void Run<TCall>(TCall call)
        where TCall : struct, IWorkspaceCall
    {
        nuint size = 0;
        Ensure.Success(call.Invoke(null, &size), TCall.Function);
        NativeBuffer buffer = Pool<NativeBuffer>.Rent();
        try
        {
            Ensure.Success(call.Invoke(buffer.Ensure(size), &size), TCall.Function);
        }
        finally
        {
            Pool<NativeBuffer>.Return(buffer);
        }
    }

    /// <summary>Frees the pooled workspaces.</summary>
    public static void ReleaseWorkspaces() => Pool<NativeBuffer>.Clear();
}
