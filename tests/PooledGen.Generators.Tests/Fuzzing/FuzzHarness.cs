using PooledGen.Generators.Ownership;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PooledGen.Generators.Tests.Generator;
using Xunit.Sdk;

namespace PooledGen.Generators.Tests.Fuzzing;

/// <summary>
/// Runs one source through <see cref="PooledGenerator"/> (with <see cref="CSharpGeneratorDriver"/>) and then every
/// analyzer of the PooledGen.Generators assembly (found by reflection, so a new analyzer is fuzzed without a change
/// here) over the generated compilation, and judges the outcome:
/// <list type="bullet">
/// <item>neither the generator nor an analyzer throws (no CS8785, no AD0001, nothing caught by the exception handler);</item>
/// <item>no hang: an answer within the time limit;</item>
/// <item>the case generates code that compiles or reports a diagnostic: a source that compiles alone still compiles
/// with the generated code, and each of its <c>[Pooled]</c> structs is either generated or named by a PG diagnostic.</item>
/// </list>
/// </summary>
internal static class FuzzHarness
{
    /// <summary>
    /// Every analyzer the package ships; the ownership analyzer rethrows the internal errors it otherwise swallows, so
    /// that the exception handler sees them.
    /// </summary>
    public static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        typeof(PooledGenerator).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => t == typeof(OwnershipAnalyzer) ? new OwnershipAnalyzer(rethrowInternalErrors: true) : (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

    /// <summary>The time one case may take: generous for a loaded 2-core machine; a hang takes forever.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Fails with every problem found and the source that caused them.</summary>
    public static void Check(string caseName, string source)
    {
        Task<List<string>> run = Task.Run(() => RunAsync(source));
        if (!run.Wait(Timeout))
        {
            throw new XunitException($"{caseName}: no answer from the generator and analyzers within {Timeout.TotalSeconds} s (a hang?). Source:\n{source}");
        }

        if (run.Result.Count > 0)
        {
            throw new XunitException($"{caseName}:\n- {string.Join("\n- ", run.Result)}\nSource:\n{source}");
        }
    }

    private static async Task<List<string>> RunAsync(string source)
    {
        var problems = new List<string>();
        CSharpCompilation input = GeneratorTestHelpers.CreateCompilation(source);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new PooledGenerator().AsSourceGenerator()], parseOptions: GeneratorTestHelpers.ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null)
        {
            problems.Add($"the generator threw {result.Exception}");
        }

        problems.AddRange(generatorDiagnostics.Select(d => $"the generator reported {d}"));

        var exceptions = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]),
            onAnalyzerException: (exception, analyzer, _) => exceptions.Enqueue($"{analyzer.GetType().Name} threw {exception}"),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        ImmutableArray<Diagnostic> all = await output.WithAnalyzers(Analyzers, options).GetAllDiagnosticsAsync();
        problems.AddRange(exceptions);
        problems.AddRange(all.Where(d => d.Id == "AD0001").Select(d => $"analyzer exception: {d}"));

        // The compiler's verdict only: PG errors are the analyzers' way of saying why a struct was not served.
        if (!input.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            problems.AddRange(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)
                .Select(d => $"the source compiles alone but not with the generated code: {d}"));
            problems.AddRange(UnservedPooledStructs(input, result, all));
        }

        return problems;
    }

    /// <summary>[Pooled] structs of a clean compilation that got neither generated code nor a PG diagnostic.</summary>
    private static IEnumerable<string> UnservedPooledStructs(Compilation input, GeneratorRunResult result, ImmutableArray<Diagnostic> diagnostics)
    {
        var generated = result.GeneratedSources.Select(s => s.HintName).ToList();
        foreach (INamedTypeSymbol type in input.GetSymbolsWithName(_ => true, SymbolFilter.Type).OfType<INamedTypeSymbol>())
        {
            if (!type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "PooledGen.PooledAttribute"))
            {
                continue;
            }

            bool isGenerated = generated.Any(hint => hint == type.Name + ".g.cs" || hint.EndsWith("." + type.Name + ".g.cs", StringComparison.Ordinal));
            bool isDiagnosed = diagnostics.Any(d => d.Id.StartsWith("PG", StringComparison.Ordinal) && type.DeclaringSyntaxReferences.Any(r =>
                r.SyntaxTree == d.Location.SourceTree && r.Span.Contains(d.Location.SourceSpan)));
            if (!isGenerated && !isDiagnosed)
            {
                yield return $"[Pooled] {type.ToDisplayString()} got no generated code and no PG diagnostic";
            }
        }
    }
}
