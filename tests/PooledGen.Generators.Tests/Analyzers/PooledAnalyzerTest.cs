using Microsoft.CodeAnalysis.Testing;
using PooledGen.CodeFixes;
using PooledGen.Generators.Diagnostics;
using PooledGen.Generators.Tests.Infrastructure;

namespace PooledGen.Generators.Tests.Analyzers;

/// <summary>
/// Runs <see cref="PooledAnalyzer"/> (and its code fixes) over marked-up source through the shared verifiers,
/// optionally with a project's MSBuild options given as a global analyzer config, as the compiler sees them.
/// </summary>
internal static class PooledAnalyzerTest
{
    /// <summary>Checks that the analyzer reports exactly the diagnostics marked in <paramref name="source"/>.</summary>
    public static Task VerifyAsync(string source, params DiagnosticResult[] expected) =>
        VerifyWithConfigAsync(source, globalConfig: null, expected);

    /// <summary>
    /// As <see cref="VerifyAsync"/>, with <paramref name="globalConfig"/> lines (e.g.
    /// <c>build_property.PooledGenSmallObjectThreshold = 256</c>) in a <c>.globalconfig</c>.
    /// </summary>
    public static Task VerifyWithConfigAsync(string source, string? globalConfig, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerVerifier<PooledAnalyzer>.Test { TestCode = source };
        AddGlobalConfig(test.TestState, globalConfig);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Checks the PG0003 fix turns <paramref name="source"/> into <paramref name="fixedSource"/>, one fix at a time and all at once.</summary>
    public static Task VerifyMakePartialAsync(string source, string fixedSource) =>
        CSharpCodeFixVerifier<PooledAnalyzer, MakePartialCodeFix>.VerifyAsync(source, fixedSource);

    /// <summary>Checks the PG0005 fix turns <paramref name="source"/> into <paramref name="fixedSource"/>.</summary>
    public static Task VerifyReorderAsync(string source, string fixedSource) =>
        CSharpCodeFixVerifier<PooledAnalyzer, ReorderFieldsCodeFix>.VerifyAsync(source, fixedSource);

    /// <summary>The source of a PG0005 diagnostic, for checking that no fix is offered.</summary>
    public static Task VerifyNoReorderAsync(string source)
    {
        var test = new CSharpCodeFixVerifier<PooledAnalyzer, ReorderFieldsCodeFix>.Test { TestCode = source, FixedCode = source };
        return test.RunAsync();
    }

    private static void AddGlobalConfig(SolutionState state, string? globalConfig)
    {
        if (globalConfig is not null)
        {
            state.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\n" + globalConfig + "\n"));
        }
    }
}
