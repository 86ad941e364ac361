using static NNPackSharp.BindingsGenerator.LibClang;

namespace NNPackSharp.BindingsGenerator;

/// <summary>C types to blittable C# types: size_t is nuint, opaque handles are nint, enums and structs keep their (renamed) types.</summary>
internal static class TypeMap
{
    public static string CSharp(ClangType type)
    {
        switch (type.Kind)
        {
            case TypeElaborated:
                return CSharp(GetNamedType(type));
            case TypeTypedef:
                string spelling = Strip(Text(GetTypeSpelling(type)));
                if (spelling is "size_t")
                {
                    return "nuint";
                }

                ClangType canonical = GetCanonicalType(type);
                // A typedef of a pointer to an undefined struct (pthreadpool_t) is an opaque handle.
                return canonical.Kind == TypePointer && GetPointeeType(canonical).Kind == TypeRecord && !Text(GetTypeSpelling(GetPointeeType(canonical))).Contains("nnp_")
                    ? "nint"
                    : CSharp(canonical);
            case TypeEnum:
            case TypeRecord:
                return Names.Type(Strip(Text(GetTypeSpelling(type))));
            case TypePointer:
                ClangType pointee = GetPointeeType(type);
                return pointee.Kind switch
                {
                    TypeVoid => "void*",
                    TypeCharS or TypeCharU => "byte*",
                    _ => CSharp(pointee) + "*",
                };
            case TypeVoid: return "void";
            case TypeFloat: return "float";
            case TypeDouble: return "double";
            case TypeInt: return "int";
            case TypeUInt: return "uint";
            case TypeLong: return "nint";
            case TypeULong: return "nuint";
            default:
                throw new NotSupportedException($"no blittable C# type for C type '{Text(GetTypeSpelling(type))}' (kind {type.Kind}).");
        }
    }

    /// <summary>"const struct nnp_size" -> "nnp_size".</summary>
    private static string Strip(string spelling) =>
        spelling.Replace("const ", string.Empty).Replace("struct ", string.Empty).Replace("enum ", string.Empty).Trim();
}
