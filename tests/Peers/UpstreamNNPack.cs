using System.Runtime.InteropServices;
using NNPackSharp.Interop;

namespace NNPackSharp.Peers;

/// <summary>
/// Upstream NNPACK inside libtorch_cpu.so, bound through the generated <see cref="NNPackFunctionTable"/>. On VMs that
/// hide the CPUID cache leaves its nnp_initialize returns 51 (unsupported hardware); writing cache sizes into its
/// exported <c>nnp_hwinfo</c> record first makes it initialise.
/// </summary>
internal static unsafe class UpstreamNNPack
{
    private static readonly Lazy<(NNPackFunctionTable Functions, string Note)> Loaded = new(Load);

    public static NNPackFunctionTable Functions => Loaded.Value.Functions;

    public static string Note => Loaded.Value.Note;

    private static (NNPackFunctionTable, string) Load()
    {
        string library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libtorch_cpu.so");
        nint handle = NativeLibrary.Load(library);
        byte* hardware = (byte*)NativeLibrary.GetExport(handle, "nnp_hwinfo");
        // Layout: byte 0 initialized, byte 1 supported, offset 4 simd_width, caches L1..L4 at 8, 24, 40, 56 as
        // { uint32 size; uint32 associativity; uint32 threads; bool inclusive }.
        WriteCache(hardware + 8, 48 * 1024, 12, inclusive: false);
        WriteCache(hardware + 24, 1024 * 1024, 16, inclusive: true);
        WriteCache(hardware + 40, 32 * 1024 * 1024, 16, inclusive: false);
        var functions = new NNPackFunctionTable(handle);
        NnpStatus status = functions.nnp_initialize();
        if (status != NnpStatus.Success)
        {
            throw new InvalidOperationException($"upstream nnp_initialize returned {status} even with cache sizes supplied");
        }

        return (functions, $"{library}: initialised after supplying cache sizes through nnp_hwinfo");
    }

    private static void WriteCache(byte* cache, uint size, uint associativity, bool inclusive)
    {
        *(uint*)cache = size;
        *(uint*)(cache + 4) = associativity;
        *(uint*)(cache + 8) = 1;
        cache[12] = inclusive ? (byte)1 : (byte)0;
    }
}
