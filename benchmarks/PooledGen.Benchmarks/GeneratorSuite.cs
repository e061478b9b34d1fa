using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PooledGen.Generators;

namespace PooledGen.Benchmarks;

/// <summary>
/// PooledGenerator over a project of 2,000 <c>[Pooled]</c> structs (one file each) and one unrelated file.
/// Cold: a fresh compilation and a fresh driver, so binding the attributed structs is part of the figure (parsing
/// is not: the trees are parsed once). Incremental: a driver that has run once sees a compilation in which only the
/// unrelated file changed, as an IDE does on a keystroke. The analyzers are not timed here (they are not in this
/// branch).
/// </summary>
[BenchmarkCategory("Generator")]
public class Generator
{
    /// <summary>[Pooled] structs in the project.</summary>
    public const int StructCount = 2_000;

    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest);

    private readonly SyntaxTree[] _unrelated = new SyntaxTree[2];
    private ImmutableArray<SyntaxTree> _trees;
    private MetadataReference[] _references = [];
    private Compilation _compilation = null!;
    private GeneratorDriver _warmDriver = null!;
    private int _edits;

    /// <summary>Parses the project and checks that the generator serves every struct.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var trees = Enumerable.Range(0, StructCount).Select(i => Parse(PooledStruct(i), $"Models/Model{i:0000}.cs")).ToList();
        _unrelated[0] = Parse(Unrelated(0), "Services/Clock.cs");
        _unrelated[1] = Parse(Unrelated(1), "Services/Clock.cs");
        trees.Add(_unrelated[0]);
        _trees = [.. trees];

        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        _references = platform
            .Where(p => Path.GetFileName(p) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Append(typeof(PooledHeap).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();

        _compilation = NewCompilation();
        _warmDriver = NewDriver().RunGenerators(_compilation);
        var generated = _warmDriver.GetRunResult().GeneratedTrees.Length;
        if (generated != StructCount)
        {
            throw new InvalidOperationException($"PooledGenerator produced {generated} files for {StructCount} [Pooled] structs.");
        }
    }

    /// <summary>A fresh compilation and driver: what a command-line build pays.</summary>
    [Benchmark(Baseline = true)]
    public GeneratorDriver Cold() => NewDriver().RunGenerators(NewCompilation());

    /// <summary>The warm driver after an edit of the unrelated file: what the IDE pays per keystroke.</summary>
    [Benchmark]
    public GeneratorDriver AfterUnrelatedEdit()
    {
        var from = _unrelated[_edits & 1];
        var to = _unrelated[++_edits & 1];
        _compilation = _compilation.ReplaceSyntaxTree(from, to);
        _warmDriver = _warmDriver.RunGenerators(_compilation);
        return _warmDriver;
    }

    private static SyntaxTree Parse(string text, string path) => CSharpSyntaxTree.ParseText(text, s_parseOptions, path);

    private static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create([new PooledGenerator().AsSourceGenerator()], parseOptions: s_parseOptions);

    private Compilation NewCompilation() => CSharpCompilation.Create("Models", _trees, _references,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));

    // Structs of varied shapes and sizes, as a game or simulation would declare them.
    private static string PooledStruct(int i) => (i % 4) switch
    {
        0 => $"namespace Game.Models;\n[PooledGen.Pooled]\npublic partial struct Particle{i} {{ public float X, Y, VelocityX, VelocityY, Life; }}\n",
        1 => $"namespace Game.Models;\n[PooledGen.Pooled]\npublic partial struct Node{i} {{ public long Key; public int Left, Right; public double Weight; }}\n",
        2 => $"namespace Game.Models.Deep;\n[PooledGen.Pooled]\npublic partial struct Sample{i} {{ public byte Kind; public short Channel; public long Time; public decimal Value; }}\n",
        _ => $"namespace Game.Models;\n[PooledGen.Pooled]\npublic partial struct Matrix{i} {{ public System.Numerics.Matrix4x4 Transform; public int Id; }}\n",
    };

    private static string Unrelated(int version) =>
        $"namespace Game.Services;\npublic static class Clock {{ public static long Ticks => {version}; }}\n";
}
