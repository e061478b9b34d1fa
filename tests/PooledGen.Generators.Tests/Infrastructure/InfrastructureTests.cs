using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PooledGen.Generators.Tests.Infrastructure;

public class InfrastructureTests
{
    /// <summary>Reports every struct named Bad, to prove the verifier sees PooledGen.Runtime and checks spans.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class BadStructAnalyzer : DiagnosticAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = new("TEST01", "t", "bad '{0}'", "t", DiagnosticSeverity.Warning, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSymbolAction(
                c =>
                {
                    if (c.Symbol.Name == "Bad")
                    {
                        c.ReportDiagnostic(Diagnostic.Create(Rule, c.Symbol.Locations[0], c.Symbol.Name));
                    }
                },
                SymbolKind.NamedType);
        }
    }

    [Fact]
    public Task Verifier_compiles_against_runtime_and_checks_marked_spans() =>
        CSharpAnalyzerVerifier<BadStructAnalyzer>.VerifyAsync("""
            using PooledGen;
            [Pooled] public partial struct Good { public int X; public unsafe Pooled<int>* P; }
            [Pooled] public partial struct {|TEST01:Bad|} { }
            """);

    [Fact]
    public async Task Verifier_fails_when_an_expected_diagnostic_is_missing()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => CSharpAnalyzerVerifier<BadStructAnalyzer>.VerifyAsync("""
            public struct {|TEST01:Fine|} { }
            """));
    }
}
