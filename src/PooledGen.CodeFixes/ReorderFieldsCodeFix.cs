using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PooledGen.Generators.Diagnostics;

namespace PooledGen.CodeFixes;

/// <summary>
/// PG0005: moves the struct's fields into the order the diagnostic names, which drops the struct into a smaller
/// size class. Offered only when the analyzer found such an order and all the fields sit in one declaration in
/// the document.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReorderFieldsCodeFix)), Shared]
public sealed class ReorderFieldsCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.SizeClassWaste.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(
        async (context, document, diagnostics) => await ReorderAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            var rewrite = await FindRewriteAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (rewrite is null)
            {
                continue;
            }

            var order = string.Join(", ", Order(diagnostic)!);
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Order the fields {order}",
                    ct => ReorderAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                    equivalenceKey: nameof(ReorderFieldsCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> ReorderAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken ct)
    {
        var rewrites = new Dictionary<TypeDeclarationSyntax, IReadOnlyList<string>>();
        foreach (var diagnostic in diagnostics)
        {
            if (await FindRewriteAsync(document, diagnostic, ct).ConfigureAwait(false) is { } rewrite)
            {
                rewrites[rewrite.Declaration] = rewrite.Order;
            }
        }

        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        if (root is null || rewrites.Count == 0)
        {
            return document;
        }

        // Nested [Pooled] structs are members of their container, not fields of it, so rewriting both is safe.
        var fixedRoot = root.ReplaceNodes(
            rewrites.Keys,
            (original, rewritten) => FieldReordering.Reorder(rewritten, rewrites[original]) ?? rewritten);
        return document.WithSyntaxRoot(fixedRoot);
    }

    /// <summary>The declaration in this document that holds the struct's fields, and the order to give them.</summary>
    private static async Task<(TypeDeclarationSyntax Declaration, IReadOnlyList<string> Order)?> FindRewriteAsync(
        Document document, Diagnostic diagnostic, CancellationToken ct)
    {
        var order = Order(diagnostic);
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
        if (order is null || root is null || model is null)
        {
            return null;
        }

        var reported = ReportedType.Find(root, diagnostic);
        if (reported is null || model.GetDeclaredSymbol(reported, ct) is not { } symbol)
        {
            return null;
        }

        // A partial struct may declare its fields in another part than the one carrying [Pooled].
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree == root.SyntaxTree
                && await reference.GetSyntaxAsync(ct).ConfigureAwait(false) is TypeDeclarationSyntax declaration
                && FieldReordering.Reorder(declaration, order) is not null)
            {
                return (declaration, order);
            }
        }

        return null;
    }

    private static IReadOnlyList<string>? Order(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(DiagnosticProperties.FieldOrder, out var value) && !string.IsNullOrEmpty(value)
            ? value!.Split(DiagnosticProperties.FieldOrderSeparator)
            : null;
}
