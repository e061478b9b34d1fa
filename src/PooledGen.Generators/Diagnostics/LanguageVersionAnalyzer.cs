using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PooledGen.Generators.Targets;
using static PooledGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace PooledGen.Generators.Diagnostics;

/// <summary>
/// Reports PG0007 at every <c>[Pooled]</c> struct of a project whose C# version is older than the generated code
/// needs (<see cref="RequiredLanguageVersion"/>). The generator generates nothing there, so this is the one thing the
/// user hears, instead of compiler errors inside generated files. After CommunityToolkit.Mvvm's MVVMTK0008.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LanguageVersionAnalyzer : DiagnosticAnalyzer
{
    private const string PooledAttributeMetadataName = "PooledGen.PooledAttribute";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(LanguageVersionTooOld);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            // Decided once per compilation: a project new enough, or one without the runtime, registers nothing.
            if (start.Compilation is not CSharpCompilation { LanguageVersion: var version }
                || RequiredLanguageVersion.IsMetBy(version)
                || start.Compilation.GetTypeByMetadataName(PooledAttributeMetadataName) is not { } pooledAttribute)
            {
                return;
            }

            var projectVersion = version.ToDisplayString();
            start.RegisterSymbolAction(context => AnalyzeType(context, pooledAttribute, projectVersion), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, INamedTypeSymbol pooledAttribute, string projectVersion)
    {
        // Only structs get generated code; [Pooled] on anything else is PG0004's to explain.
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind != TypeKind.Struct)
        {
            return;
        }

        var attribute = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, pooledAttribute));
        if (attribute is null)
        {
            return;
        }

        var location = PooledAnalyzer.TypeNameLocation(type, attribute, context.CancellationToken);
        context.ReportDiagnostic(Diagnostic.Create(
            LanguageVersionTooOld,
            location,
            type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat),
            projectVersion,
            RequiredLanguageVersion.MinimumDisplay));
    }
}
