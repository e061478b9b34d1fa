using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PooledGen.Generators.Diagnostics;
using PooledGen.Generators.Tests.Infrastructure;

namespace PooledGen.Generators.Tests.Analyzers;

/// <summary>
/// Runs <see cref="PooledAnalyzer"/> over unmarked source, for checks that are not about spans: that it never
/// throws, and that documented examples report what the documentation says.
/// </summary>
internal static class AnalyzerRun
{
    /// <summary>The analyzer's diagnostics and every exception it threw (which the compiler would turn into AD0001).</summary>
    public static async Task<(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyList<Exception> Exceptions)> RunAsync(string source)
    {
        var exceptions = new List<Exception>();
        var compilation = CSharpCompilation.Create(
            "Sample",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        var withAnalyzers = compilation.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(new PooledAnalyzer()),
            new CompilationWithAnalyzersOptions(
                new AnalyzerOptions([]),
                onAnalyzerException: (exception, _, _) => exceptions.Add(exception),
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false));

        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
        return (diagnostics, exceptions);
    }
}
