using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace PooledGen.Generators.Tests.Infrastructure;

/// <summary>
/// The references every test compilation gets: the .NET 10 reference assemblies, pinned in-process by
/// Basic.Reference.Assemblies so no test downloads anything, plus the PooledGen runtime.
/// </summary>
internal static class TestReferences
{
    /// <summary>.NET 10 reference assemblies and PooledGen.Runtime.</summary>
    public static readonly ImmutableArray<MetadataReference> All =
        Basic.Reference.Assemblies.Net100.References.All
            .Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(PooledGen.PooledAttribute).Assembly.Location))
            .ToImmutableArray();

    /// <summary>
    /// For Microsoft.CodeAnalysis.Testing: a target framework with no package to resolve (nothing is downloaded);
    /// the tests add <see cref="All"/> themselves.
    /// </summary>
    public static readonly ReferenceAssemblies None = new("net10.0");

    /// <summary>Gives a Microsoft.CodeAnalysis.Testing test the pinned references, C# latest and unsafe code.</summary>
    public static void Configure(AnalyzerTest<DefaultVerifier> test)
    {
        test.ReferenceAssemblies = None;
        test.TestState.AdditionalReferences.AddRange(All);
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var project = solution.GetProject(projectId)!;
            var options = ((Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions)project.CompilationOptions!).WithAllowUnsafe(true);
            var parse = ((Microsoft.CodeAnalysis.CSharp.CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest);
            return solution.WithProjectCompilationOptions(projectId, options).WithProjectParseOptions(projectId, parse);
        });
    }
}
