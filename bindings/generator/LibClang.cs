using System.Reflection;
using System.Runtime.InteropServices;

namespace NNPackSharp.BindingsGenerator;

/// <summary>The few libclang C API entry points the generator walks a header with.</summary>
internal static unsafe partial class LibClang
{
    private const string Library = "clang";

    static LibClang() => NativeLibrary.SetDllImportResolver(typeof(LibClang).Assembly, Resolve);

    /// <summary>Where libclang is looked for, in order: an explicit path, then the names distributions install it under.</summary>
    internal static IEnumerable<string> Candidates()
    {
        string? explicitPath = Environment.GetEnvironmentVariable("NNPACKSHARP_LIBCLANG");
        if (!string.IsNullOrEmpty(explicitPath))
        {
            yield return explicitPath;
        }

        foreach (string directory in Subdirectories("/usr/lib", "llvm-*"))
        {
            yield return Path.Combine(directory, "lib", "libclang.so.1");
        }

        yield return "libclang.so.1";
        yield return "libclang-14.so.1";
        yield return "libclang.so";
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library)
        {
            return 0;
        }

        foreach (string candidate in Candidates())
        {
            if (NativeLibrary.TryLoad(candidate, out nint handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException("libclang not found; tried: " + string.Join(", ", Candidates()) + ". Install libclang1-14 (Debian) or set NNPACKSHARP_LIBCLANG.");
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Cursor
    {
        public int Kind;
        public int Xdata;
        public nint Data0, Data1, Data2;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct ClangType
    {
        public int Kind;
        public nint Data0, Data1;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct ClangString
    {
        public nint Data;
        public uint Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct SourceLocation
    {
        public nint Pointer0, Pointer1;
        public uint IntData;
    }

    internal const int StructDecl = 2, EnumDecl = 5, FieldDecl = 6, EnumConstantDecl = 7, FunctionDecl = 8, TypedefDecl = 20;
    internal const int TypeVoid = 2, TypeFloat = 21, TypeDouble = 22, TypePointer = 101, TypeRecord = 105, TypeEnum = 106, TypeTypedef = 107, TypeElaborated = 119;
    internal const int TypeCharS = 13, TypeCharU = 4, TypeInt = 17, TypeUInt = 9, TypeULong = 10, TypeLong = 18, TypeBool = 3;

    [LibraryImport(Library, EntryPoint = "clang_createIndex")]
    internal static partial nint CreateIndex(int excludeDeclarationsFromPch, int displayDiagnostics);

    [LibraryImport(Library, EntryPoint = "clang_disposeIndex")]
    internal static partial void DisposeIndex(nint index);

    [LibraryImport(Library, EntryPoint = "clang_parseTranslationUnit")]
    internal static partial nint ParseTranslationUnit(nint index, byte* sourceFile, byte** arguments, int argumentCount, nint unsavedFiles, uint unsavedCount, uint options);

    [LibraryImport(Library, EntryPoint = "clang_disposeTranslationUnit")]
    internal static partial void DisposeTranslationUnit(nint unit);

    [LibraryImport(Library, EntryPoint = "clang_getNumDiagnostics")]
    internal static partial uint GetNumDiagnostics(nint unit);

    [LibraryImport(Library, EntryPoint = "clang_getTranslationUnitCursor")]
    internal static partial Cursor GetTranslationUnitCursor(nint unit);

    [LibraryImport(Library, EntryPoint = "clang_visitChildren")]
    internal static partial uint VisitChildren(Cursor parent, delegate* unmanaged<Cursor, Cursor, nint, int> visitor, nint clientData);

    [LibraryImport(Library, EntryPoint = "clang_getCursorSpelling")]
    internal static partial ClangString GetCursorSpelling(Cursor cursor);

    [LibraryImport(Library, EntryPoint = "clang_getCursorType")]
    internal static partial ClangType GetCursorType(Cursor cursor);

    [LibraryImport(Library, EntryPoint = "clang_getCursorResultType")]
    internal static partial ClangType GetCursorResultType(Cursor cursor);

    [LibraryImport(Library, EntryPoint = "clang_Cursor_getNumArguments")]
    internal static partial int GetNumArguments(Cursor cursor);

    [LibraryImport(Library, EntryPoint = "clang_Cursor_getArgument")]
    internal static partial Cursor GetArgument(Cursor cursor, uint index);

    [LibraryImport(Library, EntryPoint = "clang_getEnumConstantDeclValue")]
    internal static partial long GetEnumConstantDeclValue(Cursor cursor);

    [LibraryImport(Library, EntryPoint = "clang_getTypeSpelling")]
    internal static partial ClangString GetTypeSpelling(ClangType type);

    [LibraryImport(Library, EntryPoint = "clang_getCanonicalType")]
    internal static partial ClangType GetCanonicalType(ClangType type);

    [LibraryImport(Library, EntryPoint = "clang_getPointeeType")]
    internal static partial ClangType GetPointeeType(ClangType type);

    [LibraryImport(Library, EntryPoint = "clang_getTypedefDeclUnderlyingType")]
    internal static partial ClangType GetTypedefDeclUnderlyingType(Cursor cursor);

    [LibraryImport(Library, EntryPoint = "clang_Type_getNamedType")]
    internal static partial ClangType GetNamedType(ClangType type);

    [LibraryImport(Library, EntryPoint = "clang_getCursorLocation")]
    internal static partial SourceLocation GetCursorLocation(Cursor cursor);

    [LibraryImport(Library, EntryPoint = "clang_Location_isFromMainFile")]
    internal static partial int IsFromMainFile(SourceLocation location);

    [LibraryImport(Library, EntryPoint = "clang_getCString")]
    internal static partial byte* GetCString(ClangString value);

    [LibraryImport(Library, EntryPoint = "clang_disposeString")]
    internal static partial void DisposeString(ClangString value);

    /// <summary>The subdirectories of <paramref name="directory"/> matching <paramref name="pattern"/>, newest version first; none when it is missing.</summary>
    internal static IEnumerable<string> Subdirectories(string directory, string pattern) =>
        Directory.Exists(directory) ? Directory.GetDirectories(directory, pattern).OrderDescending() : Enumerable.Empty<string>();

    /// <summary>Copies a CXString into a .NET string and frees it.</summary>
    internal static string Text(ClangString value)
    {
        string text = Marshal.PtrToStringUTF8((nint)GetCString(value)) ?? string.Empty;
        DisposeString(value);
        return text;
    }
}
