namespace NNPackSharp.BindingsGenerator;

/// <summary>What the generator takes from the header: enums, structs and functions, in declaration order, with C# types.</summary>
internal sealed record HeaderModel(IReadOnlyList<EnumModel> Enums, IReadOnlyList<StructModel> Structs, IReadOnlyList<FunctionModel> Functions)
{
    /// <summary>The declarations of several headers, in the order given.</summary>
    public static HeaderModel Concat(IEnumerable<HeaderModel> models)
    {
        HeaderModel[] all = [.. models];
        return new HeaderModel([.. all.SelectMany(m => m.Enums)], [.. all.SelectMany(m => m.Structs)], [.. all.SelectMany(m => m.Functions)]);
    }
}

internal sealed record EnumModel(string CName, string Name, IReadOnlyList<(string Name, long Value)> Members);

internal sealed record StructModel(string CName, string Name, IReadOnlyList<(string Type, string Name)> Fields);

internal sealed record FunctionModel(string Name, string ReturnType, IReadOnlyList<(string Type, string Name)> Parameters);
