using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PooledGen.Generators.Diagnostics;
using PooledGen.Generators.Tests.Infrastructure;

namespace PooledGen.Generators.Tests.Analyzers;

/// <summary>
/// Runs <see cref="PooledAnalyzer"/> and <see cref="LanguageVersionAnalyzer"/> over unmarked source, for checks that are not about spans: that it never
/// throws, and that documented examples report what the documentation says.
/// </summary>
internal static class AnalyzerRun
{
    /// <summary>Every PooledGen analyzer of the shape and size family, as the package ships them.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers => [new PooledAnalyzer(), new LanguageVersionAnalyzer()];

    /// <summary>The analyzers' diagnostics and every exception they threw (which the compiler would turn into AD0001).</summary>
    public static async Task<(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyList<Exception> Exceptions)> RunAsync(
        string source, LanguageVersion languageVersion = LanguageVersion.Latest)
    {
        var exceptions = new List<Exception>();
        var compilation = CSharpCompilation.Create(
            "Sample",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(languageVersion))],
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        var withAnalyzers = compilation.WithAnalyzers(
            Analyzers,
            new CompilationWithAnalyzersOptions(
                new AnalyzerOptions([]),
                onAnalyzerException: (exception, _, _) => exceptions.Add(exception),
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false));

        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
        return (diagnostics, exceptions);
    }
}
