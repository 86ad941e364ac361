using System.Globalization;

namespace NNPackSharp.BindingsGenerator;

/// <summary>C names to C# names: types and members PascalCase (nnp_status -> NnpStatus, nnp_status_success -> Success), parameters camelCase.</summary>
internal static class Names
{
    public static string Type(string cName) => Pascal(cName);

    public static string EnumMember(string enumCName, string memberCName) =>
        Pascal(memberCName.StartsWith(enumCName + "_", StringComparison.Ordinal) ? memberCName[(enumCName.Length + 1)..] : memberCName);

    public static string Field(string cName) => Pascal(cName);

    public static string Parameter(string cName)
    {
        string pascal = Pascal(cName);
        return char.ToLowerInvariant(pascal[0]) + pascal[1..];
    }

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpper(part[0], CultureInfo.InvariantCulture) + part[1..]));
}
