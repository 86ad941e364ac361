using System.Globalization;

namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// The protocol mode's command line: <c>protocol [--threads 1,2] [--rounds 9] [--layers a,b] [--passes ...] [--out file.md]
/// [--operators] [--tiny]</c>. The convolutions' table, then the operators' (<see cref="OperatorTable"/>);
/// <c>--operators</c> runs the operators' alone, <c>--tiny</c> shrinks its sizes for a smoke run.
/// </summary>
internal sealed record ProtocolOptions(IReadOnlyList<int> Threads, int Rounds, IReadOnlyList<string> LayerFilters, IReadOnlyList<Pass> Passes, string? OutPath,
    bool OperatorsOnly = false, bool TinyOperators = false)
{
    /// <summary>The protocol's minimum: fewer rounds make a smoke run, and the report says so.</summary>
    public const int MinRounds = 9;

    public const string Usage =
        "protocol [--threads 1,2] [--rounds 9] [--layers <substring>[,<substring>...]] [--passes forward,grad-input,grad-weight,inference] [--out <file.md>] "
        + "[--operators (the operators' table only)] [--tiny (the operators at tiny sizes: a smoke run)]";

    /// <summary>Every layer the protocol knows: the public eight, then the extra shapes.</summary>
    public static IReadOnlyList<ConvLayer> AllLayers { get; } = [.. ConvLayer.All, .. ConvLayer.Extra];

    /// <summary>The layers whose name contains any filter (case-insensitive), in <see cref="AllLayers"/>' order; all of them without a filter.</summary>
    public IReadOnlyList<ConvLayer> Layers =>
        LayerFilters.Count == 0
            ? AllLayers
            : AllLayers.Where(l => LayerFilters.Any(f => l.Name.Contains(f, StringComparison.OrdinalIgnoreCase))).ToArray();

    public static ProtocolOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ProtocolOptions([1, 2], MinRounds, [], [Pass.Forward, Pass.GradInput, Pass.GradWeight, Pass.Inference], null);
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] is "--operators" or "--tiny")
            {
                options = args[i] == "--operators" ? options with { OperatorsOnly = true } : options with { TinyOperators = true };
                continue;
            }

            string value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value. Usage: {Usage}");
            options = args[i] switch
            {
                "--threads" => options with { Threads = List(value).Select(Positive).ToArray() },
                "--rounds" => options with { Rounds = Positive(value) },
                "--layers" => options with { LayerFilters = List(value) },
                "--passes" => options with { Passes = List(value).Select(ParsePass).ToArray() },
                "--out" => options with { OutPath = value },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'. Usage: {Usage}"),
            };
            i++;
        }

        if (options.Layers.Count == 0)
        {
            throw new ArgumentException($"no layer matches '{string.Join(",", options.LayerFilters)}'; layers: {string.Join(", ", AllLayers.Select(l => l.Name))}");
        }

        return options;
    }

    /// <summary>The report's name for a pass; grad-weight computes the bias gradient too on every engine.</summary>
    public static string PassName(Pass pass) => pass switch
    {
        Pass.Forward => "forward",
        Pass.GradInput => "grad-input",
        Pass.Inference => "inference (NNPackAuto: stored kernel)",
        _ => "grad-weight (dW+db)",
    };

    private static Pass ParsePass(string name) => name switch
    {
        "forward" => Pass.Forward,
        "grad-input" => Pass.GradInput,
        "grad-weight" => Pass.GradWeight,
        "inference" => Pass.Inference,
        _ => throw new ArgumentException($"unknown pass '{name}': forward, grad-input, grad-weight or inference"),
    };

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Positive(string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) && number > 0
            ? number
            : throw new ArgumentException($"'{value}' is not a positive integer");
}
