using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PooledGen.Generators.Tests.Infrastructure;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>Shared helpers for the generator and layout tests: compilations, driver runs, repository paths.</summary>
internal static class GeneratorTestHelpers
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>A library compilation of <paramref name="sources"/> with the pinned .NET 10 references, unsafe code allowed.</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "Tests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>The repository root, found from this source file's compile-time path.</summary>
    public static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));

    /// <summary>The layout corpus, shared with PooledGen.Generated.Tests where the real generator compiles it.</summary>
    public static string ReadLayoutCorpus() =>
        File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "PooledGen.Generated.Tests", "Corpus", "LayoutCorpus.cs"));

    /// <summary>Errors and warnings of a compilation, excluding hidden and info diagnostics.</summary>
    public static ImmutableArray<Diagnostic> ErrorsAndWarnings(Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
}
