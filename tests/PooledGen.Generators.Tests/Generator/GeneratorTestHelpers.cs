using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PooledGen.Generators.Tests.Infrastructure;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>Shared helpers for the generator and layout tests: compilations, driver runs, repository paths.</summary>
internal static class GeneratorTestHelpers
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>A library compilation of <paramref name="sources"/> with the pinned .NET 10 references, unsafe code allowed.</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) => CreateCompilation(ParseOptions, sources);

    /// <summary>As <see cref="CreateCompilation(string[])"/>, parsed with <paramref name="parseOptions"/> (e.g. an older C# version).</summary>
    public static CSharpCompilation CreateCompilation(CSharpParseOptions parseOptions, params string[] sources) =>
        CSharpCompilation.Create(
            "Tests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parseOptions, path: $"Source{i}.cs")),
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>
    /// The repository root: the nearest folder above the test assembly that holds PooledGen.sln. (Not
    /// [CallerFilePath]: CI builds map source paths to /_/ for deterministic output.)
    /// </summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "PooledGen.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("PooledGen.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>This folder of the test project in the source tree, where the snapshots live.</summary>
    public static string GeneratorTestsFolder() =>
        Path.Combine(RepositoryRoot(), "tests", "PooledGen.Generators.Tests", "Generator");

    /// <summary>The layout corpus, shared with PooledGen.Generated.Tests where the real generator compiles it.</summary>
    public static string ReadLayoutCorpus() =>
        File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "PooledGen.Generated.Tests", "Corpus", "LayoutCorpus.cs"));

    /// <summary>Runs <see cref="PooledGenerator"/> with step tracking on, returning the driver (which keeps the cache) and the updated compilation.</summary>
    /// <remarks>A new driver sees <paramref name="parseOptions"/> (default: C# latest) as the compiler would hand it the project's.</remarks>
    public static GeneratorDriver RunGenerator(Compilation compilation, out Compilation output, GeneratorDriver? driver = null, CSharpParseOptions? parseOptions = null)
    {
        driver ??= CSharpGeneratorDriver.Create(
            new[] { new PooledGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        return driver.RunGeneratorsAndUpdateCompilation(compilation, out output, out _);
    }

    /// <summary>The generated files of one run, by hint name.</summary>
    public static IReadOnlyDictionary<string, string> GeneratedSources(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    /// <summary>Runs the generator on <paramref name="sources"/> and returns the one file it generates.</summary>
    public static string GenerateSingle(params string[] sources)
    {
        var driver = RunGenerator(CreateCompilation(sources), out _);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return Assert.Single(result.GeneratedSources).SourceText.ToString();
    }

    /// <summary>Errors and warnings of a compilation, excluding hidden and info diagnostics.</summary>
    public static ImmutableArray<Diagnostic> ErrorsAndWarnings(Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
}
