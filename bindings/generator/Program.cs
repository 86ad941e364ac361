using NNPackSharp.BindingsGenerator;

// usage: NNPackSharp.BindingsGenerator <header.h>... <output.cs>; each header contributes its own declarations.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: NNPackSharp.BindingsGenerator <header.h>... <output.cs>");
    return 2;
}

string[] headers = args[..^1];
File.WriteAllText(args[^1], BindingsEmitter.Generate(headers, [.. headers.Select(h => h.Replace('\\', '/'))]));
Console.WriteLine($"wrote {args[^1]} from {string.Join(", ", headers)}");
return 0;
