using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace PooledGen.Generators.Tests.Infrastructure;

/// <summary>
/// Runs an analyzer over source with <c>{|PG0001:span|}</c> markup and checks the diagnostics, as
/// Microsoft.CodeAnalysis.Testing does, against the pinned .NET 10 references and PooledGen.Runtime.
/// </summary>
/// <example><code>await CSharpAnalyzerVerifier&lt;MyAnalyzer&gt;.VerifyAsync("struct {|PG0003:S|} { }");</code></example>
internal static class CSharpAnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>Checks that the analyzer reports exactly the diagnostics marked in <paramref name="source"/>.</summary>
    public static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>The analyzer test with PooledGen's references and the latest language version.</summary>
    public sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        /// <summary>Creates the test.</summary>
        public Test() => TestReferences.Configure(this);
    }
}

/// <summary>Runs an analyzer and a code fix over marked-up source and checks the fixed source.</summary>
internal static class CSharpCodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    /// <summary>Checks the diagnostics in <paramref name="source"/> and that the fix turns it into <paramref name="fixedSource"/>.</summary>
    public static Task VerifyAsync(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>The code-fix test with PooledGen's references and the latest language version.</summary>
    public sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        /// <summary>Creates the test.</summary>
        public Test() => TestReferences.Configure(this);
    }
}
