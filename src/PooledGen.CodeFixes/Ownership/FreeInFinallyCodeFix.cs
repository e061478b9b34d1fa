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
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using PooledGen.Generators.Diagnostics;
using PooledGen.Generators.Ownership;

namespace PooledGen.CodeFixes.Ownership;

/// <summary>
/// PG0012: for <c>var h = X.Alloc();</c> in a block, moves the statements after it into <c>try { ... } finally { X.Free(h); }</c>.
/// Offered only where that cannot change what the code does with the handle: after the declaration the handle is only
/// read, inspected, lent to methods of this compilation, or freed by statements directly in the same block (those frees
/// move into the finally).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FreeInFinallyCodeFix))]
[Shared]
public sealed class FreeInFinallyCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.Leak.Id);

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null || OwnershipRoles.Resolve(model.Compilation) is not { } roles)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax allocation
                || Plan(allocation, model, roles, context.CancellationToken) is not { } plan)
            {
                continue;
            }

            var title = $"Free '{plan.Handle.Name}' in a finally block";
            context.RegisterCodeFix(
                CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(Apply(root, plan))), nameof(FreeInFinallyCodeFix)),
                diagnostic);
        }
    }

    private static FixPlan? Plan(InvocationExpressionSyntax allocation, SemanticModel model, OwnershipRoles roles, CancellationToken cancellationToken)
    {
        if (allocation.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            || declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax declaration }
            || declaration.UsingKeyword != default
            || declaration.Parent is not BlockSyntax block
            || model.GetDeclaredSymbol(declarator, cancellationToken) is not ILocalSymbol handle
            || model.GetOperation(allocation, cancellationToken) is not IInvocationOperation call
            || FreeCall(allocation, call, roles, handle.Name) is not { } free)
        {
            return null;
        }

        var following = block.Statements.Skip(block.Statements.IndexOf(declaration) + 1).ToList();
        if (following.Any(s => s is LocalFunctionStatementSyntax or LabeledStatementSyntax))
        {
            return null;
        }

        var movedFrees = new HashSet<StatementSyntax>();
        foreach (var statement in following)
        {
            foreach (var name in statement.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (name.Identifier.ValueText != handle.Name
                    || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, handle))
                {
                    continue;
                }

                if (model.GetOperation(name, cancellationToken) is not { } reference)
                {
                    return null;
                }

                var use = HandleUses.Classify(reference, roles);
                switch (use.Kind)
                {
                    case HandleUseKind.Read:
                    case HandleUseKind.Inspect:
                    case HandleUseKind.Borrow:
                        break;
                    case HandleUseKind.Free when use.Consumer?.Syntax.Parent is ExpressionStatementSyntax freeStatement && following.Contains(freeStatement):
                        movedFrees.Add(freeStatement);
                        break;
                    default:
                        return null; // handed on, copied or freed on one path only: a finally would free it wrongly
                }
            }
        }

        return new FixPlan(handle, block, declaration, following.Where(s => !movedFrees.Contains(s)).ToList(), free);
    }

    /// <summary>
    /// <c>X.Alloc(...)</c> becomes <c>X.Free(h)</c>, <c>PooledHeap.Alloc&lt;T&gt;()</c> <c>PooledHeap.Free(h)</c> and
    /// <c>heap.Alloc&lt;T&gt;()</c> <c>heap.Free(h)</c>; a block from a factory, or from an entry point whose free takes
    /// more than the handle, is freed with <c>h.Dispose()</c>, which frees any block to the heap that owns it.
    /// </summary>
    private static ExpressionStatementSyntax? FreeCall(InvocationExpressionSyntax allocation, IInvocationOperation call, OwnershipRoles roles, string handle)
    {
        var role = roles.TableRoleOf(call.TargetMethod);
        var free = role.Kind != OwnershipRole.Allocates || role.HeapOperand >= 0
            ? $"{handle}.Dispose()"
            : allocation.Expression switch
            {
                MemberAccessExpressionSyntax member => $"{member.Expression.WithoutTrivia()}.Free({handle})",
                SimpleNameSyntax => $"Free({handle})",
                _ => null,
            };
        return free is null ? null : SyntaxFactory.ExpressionStatement(SyntaxFactory.ParseExpression(free));
    }

    private static SyntaxNode Apply(SyntaxNode root, FixPlan plan)
    {
        StatementSyntax tail = plan.Kept.Count == 0
            ? plan.Free
            : SyntaxFactory.TryStatement(
                SyntaxFactory.Block(plan.Kept),
                default,
                SyntaxFactory.FinallyClause(SyntaxFactory.Block(plan.Free)));

        var statements = plan.Block.Statements;
        var index = statements.IndexOf(plan.Declaration);
        var rewritten = statements.Take(index + 1).Append(tail.WithAdditionalAnnotations(Formatter.Annotation));
        return root.ReplaceNode(plan.Block, plan.Block.WithStatements(SyntaxFactory.List(rewritten)));
    }

    private sealed class FixPlan
    {
        public FixPlan(ILocalSymbol handle, BlockSyntax block, LocalDeclarationStatementSyntax declaration, List<StatementSyntax> kept, ExpressionStatementSyntax free)
        {
            Handle = handle;
            Block = block;
            Declaration = declaration;
            Kept = kept;
            Free = free;
        }

        public ILocalSymbol Handle { get; }

        public BlockSyntax Block { get; }

        public LocalDeclarationStatementSyntax Declaration { get; }

        public List<StatementSyntax> Kept { get; }

        public ExpressionStatementSyntax Free { get; }
    }
}
