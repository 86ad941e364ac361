using NNPackSharp.BindingsGenerator;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: NNPackSharp.BindingsGenerator <header.h> <output.cs>");
    return 2;
}

File.WriteAllText(args[1], BindingsEmitter.Generate(args[0], args[0].Replace('\\', '/')));
Console.WriteLine($"wrote {args[1]} from {args[0]}");
return 0;
