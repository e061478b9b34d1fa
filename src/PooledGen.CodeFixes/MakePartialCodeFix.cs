using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PooledGen.Generators.Diagnostics;

namespace PooledGen.CodeFixes;

/// <summary>
/// PG0003: adds <c>partial</c> to the [Pooled] struct and to every type containing it that lacks it, so the
/// generator's second declaration of the struct compiles.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix)), Shared]
public sealed class MakePartialCodeFix : CodeFixProvider
{
    private const string Title = "Make the struct and its containing types partial";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.NotPartial.Id);

    /// <inheritdoc/>
    // One pass per document marks every type once, even when two structs share a containing type.
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(
        async (context, document, diagnostics) => await AddPartialAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root is null || TypesToMarkPartial(root, diagnostic).Count == 0)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    Title,
                    ct => AddPartialAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                    equivalenceKey: nameof(MakePartialCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> AddPartialAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var types = new HashSet<TypeDeclarationSyntax>(diagnostics.SelectMany(d => TypesToMarkPartial(root, d)));
        return types.Count == 0 ? document : document.WithSyntaxRoot(root.ReplaceNodes(types, (_, rewritten) => AddPartial(rewritten)));
    }

    /// <summary>The declaration the diagnostic points at (by its identifier) and its containing types, where not partial.</summary>
    private static List<TypeDeclarationSyntax> TypesToMarkPartial(SyntaxNode root, Diagnostic diagnostic)
    {
        var declaration = ReportedType.Find(root, diagnostic);

        return declaration is null
            ? new List<TypeDeclarationSyntax>()
            : declaration.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)).ToList();
    }

    /// <summary>
    /// Puts <c>partial</c> last among the modifiers, where C# requires it (just before <c>struct</c>, <c>class</c> or
    /// <c>record</c>); with no modifiers it takes over the keyword's leading trivia so indentation is kept.
    /// </summary>
    private static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax declaration)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (declaration.Modifiers.Count > 0)
        {
            return declaration.WithModifiers(declaration.Modifiers.Add(partial));
        }

        var keyword = declaration.Keyword;
        return declaration
            .WithKeyword(keyword.WithLeadingTrivia())
            .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)));
    }
}
