using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using PooledGen.Generators.Ownership;
using PooledGen.Generators.Tests.Infrastructure;

namespace PooledGen.Generators.Tests.Ownership;

/// <summary>
/// The source every ownership test compiles: a pooled struct whose Alloc/Free are written by hand (so the tests do
/// not depend on the generator), and helpers that read, lend, hand on or take over a handle.
/// </summary>
internal static class OwnershipTestSource
{
    public const string Prelude = """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using PooledGen;

        public struct Particle : IPooled<Particle>
        {
            public float X;
            public static Pooled<Particle> Alloc() => PooledHeap.Alloc<Particle>();
            public static Pooled<Particle> Alloc(in Particle value) => PooledHeap.Alloc(value);
            public static void Free(Pooled<Particle> item) => PooledHeap.Free(item);
        }

        public static class Helpers
        {
            public static float Inspect(Pooled<Particle> p) => p.Value.X;
            public static void Adopt([TakesOwnership] Pooled<Particle> p) => Particle.Free(p);
        }

        public sealed class Owner
        {
            private readonly Pooled<Particle> _held;
            public Owner(Pooled<Particle> held) => _held = held;
        }

        """;

    /// <summary>Checks the diagnostics marked in <paramref name="code"/>, placed after the prelude.</summary>
    public static Task VerifyAsync(string code, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest { TestCode = Prelude + code };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>The analyzer as tests run it: a bug in the analysis fails the test rather than silencing the method it met.</summary>
    public static OwnershipAnalyzer StrictAnalyzer() => new(rethrowInternalErrors: true);

    /// <summary>The analyzer test with PooledGen's references and the strict analyzer.</summary>
    public sealed class AnalyzerTest : CSharpAnalyzerTest<OwnershipAnalyzer, DefaultVerifier>
    {
        /// <summary>Creates the test.</summary>
        public AnalyzerTest() => TestReferences.Configure(this);

        /// <inheritdoc />
        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => [StrictAnalyzer()];
    }

    /// <summary>The code-fix test with PooledGen's references and the strict analyzer.</summary>
    public sealed class CodeFixTest<TCodeFix> : CSharpCodeFixTest<OwnershipAnalyzer, TCodeFix, DefaultVerifier>
        where TCodeFix : CodeFixProvider, new()
    {
        /// <summary>Creates the test.</summary>
        public CodeFixTest() => TestReferences.Configure(this);

        /// <inheritdoc />
        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => [StrictAnalyzer()];
    }
}
