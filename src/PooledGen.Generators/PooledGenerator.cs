using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PooledGen.Generators.Emit;
using PooledGen.Generators.Model;

namespace PooledGen.Generators;

/// <summary>
/// Adds <c>PooledSize</c>, <c>PooledBlockSize</c>, <c>Alloc</c> and <c>Free</c> to every <c>[Pooled] partial struct</c>
/// and makes it implement <c>IPooled&lt;T&gt;</c>. Structs that cannot be pooled are skipped without a word: the
/// PooledGen analyzer reports why (keeping diagnostics out of the generator keeps it incremental).
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

        var poolable = pooledStructs
            .Where(static model => model is not null)
            .Select(static (model, _) => model.GetValueOrDefault())
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
