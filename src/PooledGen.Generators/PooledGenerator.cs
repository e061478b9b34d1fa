using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PooledGen.Generators.Emit;
using PooledGen.Generators.Model;
using PooledGen.Generators.Targets;

namespace PooledGen.Generators;

/// <summary>
/// Adds <c>PooledSize</c>, <c>PooledBlockSize</c>, <c>Alloc</c> and <c>Free</c> to every <c>[Pooled] partial struct</c>
/// and makes it implement <c>IPooled&lt;T&gt;</c>. Structs that cannot be pooled are skipped without a word: the
/// PooledGen analyzer reports why (keeping diagnostics out of the generator keeps it incremental). A project older
/// than C# 11 gets nothing generated at all (PG0007).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class PooledGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var pooledStructs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                PooledStructModelFactory.PooledAttributeMetadataName,
                predicate: static (node, _) => IsStructDeclaration(node),
                transform: static (context, cancellationToken) => context.TargetSymbol is INamedTypeSymbol type
                    ? CreateModel(type, context.TargetNode, cancellationToken)
                    : null)
            .WithTrackingName(TrackingNames.PooledStructs);

        // Below C# 11 the generated code cannot compile (static abstract interface members): generate nothing, and
        // let the analyzer's PG0007 say why. Reduced to a bool first, so an unrelated change of the parse options
        // (a preprocessor symbol) leaves the structs cached.
        var languageVersionSupported = context.ParseOptionsProvider
            .Select(static (options, _) => RequiredLanguageVersion.IsMetBy(options))
            .WithTrackingName(TrackingNames.LanguageVersionSupported);

        var poolable = pooledStructs
            .Where(static model => model is not null)
            .Combine(languageVersionSupported)
            .Where(static pair => pair.Right)
            .Select(static (pair, _) => pair.Left.GetValueOrDefault())
            .WithTrackingName(TrackingNames.PoolableStructs);

        context.RegisterSourceOutput(poolable, static (context, model) => context.AddSource(model.HintName, PooledSourceEmitter.Emit(model)));
    }

    private static bool IsStructDeclaration(SyntaxNode node) =>
        node is StructDeclarationSyntax
        || (node is RecordDeclarationSyntax record && record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword));

    private static PooledStructModel? CreateModel(INamedTypeSymbol type, SyntaxNode declaration, System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            return PooledStructModelFactory.Create(type, declaration, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A generator that throws fails the whole build (CS8785). Half-typed code must never do that: skip the
            // struct, and let the compiler's and the analyzer's diagnostics speak.
            return null;
        }
    }
}
