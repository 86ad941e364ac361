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
/// NNPACK's workspace protocol with one native call when warm: lend a pooled buffer and make the call; only when the
/// library answers that the buffer is too small (it checks before it computes anything) ask for the size, grow the
/// buffer and call again. Generic over a struct per function (no delegate or closure per call), so warm calls
/// allocate nothing.
/// </summary>
internal static unsafe class WorkspaceProtocol
{
    public static void Run<TCall>(TCall call)
        where TCall : struct, IWorkspaceCall
    {
        NativeBuffer buffer = Pool<NativeBuffer>.Rent();
        try
        {
            NnpStatus status = NnpStatus.InsufficientBuffer;
            if (buffer.Memory != null)
            {
                nuint capacity = buffer.Capacity;
                status = call.Invoke(buffer.Memory, &capacity);
            }

            if (status == NnpStatus.InsufficientBuffer)
            {
                nuint size = 0;
                Ensure.Success(call.Invoke(null, &size), TCall.Function);
                status = call.Invoke(buffer.Ensure(size), &size);
            }

            Ensure.Success(status, TCall.Function);
        }
        finally
        {
            Pool<NativeBuffer>.Return(buffer);
        }
    }

    /// <summary>Frees the pooled workspaces.</summary>
    public static void ReleaseWorkspaces() => Pool<NativeBuffer>.Clear();
}
