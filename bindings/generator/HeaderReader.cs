using System.Runtime.InteropServices;
using System.Text;
using static NNPackSharp.BindingsGenerator.LibClang;

namespace NNPackSharp.BindingsGenerator;

/// <summary>Parses a C header with libclang and maps its declarations to blittable C# types.</summary>
internal static unsafe class HeaderReader
{
    /// <summary>Parses <paramref name="headerPath"/> (declarations of that file only, not of what it includes).</summary>
    public static HeaderModel Read(string headerPath)
    {
        // Without clang's builtin headers, stddef.h is missing and size_t silently becomes int.
        string builtin = BuiltinIncludeDirectory();
        string[] arguments = ["-x", "c", "-std=c11", "-isystem", builtin];
        nint index = CreateIndex(0, 0);
        var state = new State();
        GCHandle handle = GCHandle.Alloc(state);
        try
        {
            nint unit = Parse(index, headerPath, arguments);
            if (unit == 0)
            {
                throw new InvalidOperationException($"libclang could not parse {headerPath}.");
            }

            if (GetNumDiagnostics(unit) != 0)
            {
                throw new InvalidOperationException($"{headerPath} has {GetNumDiagnostics(unit)} diagnostics under libclang.");
            }

            VisitChildren(GetTranslationUnitCursor(unit), &VisitTopLevel, GCHandle.ToIntPtr(handle));
            DisposeTranslationUnit(unit);
        }
        finally
        {
            handle.Free();
            DisposeIndex(index);
        }

        return new HeaderModel(state.Enums, state.Structs, state.Functions);
    }

    /// <summary>clang's resource include directory (stddef.h, stdint.h, stdbool.h), newest LLVM first.</summary>
    internal static string BuiltinIncludeDirectory()
    {
        foreach (string llvm in Subdirectories("/usr/lib", "llvm-*"))
        {
            string clang = Path.Combine(llvm, "lib", "clang");
            foreach (string version in Subdirectories(clang, "*"))
            {
                if (File.Exists(Path.Combine(version, "include", "stddef.h")))
                {
                    return Path.Combine(version, "include");
                }
            }
        }

        throw new DirectoryNotFoundException("clang's builtin include directory (…/lib/clang/<version>/include) was not found; install libclang-common-14-dev.");
    }

    private static nint Parse(nint index, string headerPath, string[] arguments)
    {
        byte[] path = Encoding.UTF8.GetBytes(headerPath + "\0");
        byte[][] encoded = arguments.Select(a => Encoding.UTF8.GetBytes(a + "\0")).ToArray();
        var pins = encoded.Select(e => GCHandle.Alloc(e, GCHandleType.Pinned)).ToArray();
        try
        {
            byte** argv = stackalloc byte*[encoded.Length];
            for (int i = 0; i < encoded.Length; i++)
            {
                argv[i] = (byte*)pins[i].AddrOfPinnedObject();
            }

            fixed (byte* file = path)
            {
                return ParseTranslationUnit(index, file, argv, encoded.Length, 0, 0, 0);
            }
        }
        finally
        {
            foreach (GCHandle pin in pins)
            {
                pin.Free();
            }
        }
    }

    [UnmanagedCallersOnly]
    private static int VisitTopLevel(Cursor cursor, Cursor parent, nint data)
    {
        var state = (State)GCHandle.FromIntPtr(data).Target!;
        if (IsFromMainFile(GetCursorLocation(cursor)) == 0)
        {
            return 1; // continue: declarations of included headers are not ours
        }

        string name = Text(GetCursorSpelling(cursor));
        switch (cursor.Kind)
        {
            case EnumDecl:
                state.Members = [];
                VisitChildren(cursor, &VisitMember, data);
                state.Enums.Add(new EnumModel(name, Names.Type(name), state.Members.Select(m => (Names.EnumMember(name, m.Name), m.Value)).ToList()));
                break;
            case StructDecl:
                state.Fields = [];
                VisitChildren(cursor, &VisitMember, data);
                if (state.Fields.Count > 0)
                {
                    // A struct without fields is a forward declaration (struct pthreadpool): opaque, not emitted.
                    state.Structs.Add(new StructModel(name, Names.Type(name), state.Fields));
                }

                break;
            case FunctionDecl:
                var parameters = new List<(string, string)>();
                for (uint i = 0; i < (uint)GetNumArguments(cursor); i++)
                {
                    Cursor argument = GetArgument(cursor, i);
                    parameters.Add((TypeMap.CSharp(GetCursorType(argument)), Names.Parameter(Text(GetCursorSpelling(argument)))));
                }

                state.Functions.Add(new FunctionModel(name, TypeMap.CSharp(GetCursorResultType(cursor)), parameters));
                break;
        }

        return 1;
    }

    [UnmanagedCallersOnly]
    private static int VisitMember(Cursor cursor, Cursor parent, nint data)
    {
        var state = (State)GCHandle.FromIntPtr(data).Target!;
        string name = Text(GetCursorSpelling(cursor));
        if (cursor.Kind == EnumConstantDecl)
        {
            state.Members.Add((name, GetEnumConstantDeclValue(cursor)));
        }
        else if (cursor.Kind == FieldDecl)
        {
            state.Fields.Add((TypeMap.CSharp(GetCursorType(cursor)), Names.Field(name)));
        }

        return 1;
    }

    private sealed class State
    {
        public List<EnumModel> Enums { get; } = [];
        public List<StructModel> Structs { get; } = [];
        public List<FunctionModel> Functions { get; } = [];
        public List<(string Name, long Value)> Members { get; set; } = [];
        public List<(string Type, string Name)> Fields { get; set; } = [];
    }
}
