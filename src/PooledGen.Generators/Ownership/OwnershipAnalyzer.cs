using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PooledGen.Generators.Diagnostics;

namespace PooledGen.Generators.Ownership;

/// <summary>
/// Compile-time ownership checks for <c>Pooled&lt;T&gt;</c> handles within one method body: use after free (PG0010),
/// double free (PG0011), leaks (PG0012), handles whose ownership cannot be followed (PG0013), and copies kept while a
/// <c>using</c> frees the block (PG0014). See <see cref="HandleFlowAnalysis"/> for the analysis itself.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OwnershipAnalyzer : DiagnosticAnalyzer
{
    private readonly bool _rethrowInternalErrors;

    /// <summary>Creates the analyzer as the compiler and the IDE load it.</summary>
    public OwnershipAnalyzer()
        : this(rethrowInternalErrors: false)
    {
    }

    /// <summary>Tests pass true, so that a bug in the analysis fails the test instead of silencing the method.</summary>
    internal OwnershipAnalyzer(bool rethrowInternalErrors) => _rethrowInternalErrors = rethrowInternalErrors;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UseAfterFree,
        DiagnosticDescriptors.DoubleFree,
        DiagnosticDescriptors.Leak,
        DiagnosticDescriptors.OwnershipUnknown,
        DiagnosticDescriptors.KeptWhileUsingFrees);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (OwnershipRoles.Resolve(start.Compilation) is { } roles)
            {
                var names = new Lazy<HashSet<string>>(() => new HashSet<string>(roles.EntryPointNames.Concat(roles.Factories.CandidateNames), StringComparer.Ordinal));
                start.RegisterOperationBlockAction(block => AnalyzeMember(block, roles, names.Value));
            }
        });
    }

    private void AnalyzeMember(OperationBlockAnalysisContext context, OwnershipRoles roles, HashSet<string> callableNames)
    {
        // The blocks of a method body hang under one IMethodBodyOperation (or IConstructorBodyOperation): analyse each root once.
        IOperation? analysed = null;
        foreach (var block in context.OperationBlocks)
        {
            var body = block;
            while (body.Parent is not null)
            {
                body = body.Parent;
            }

            if (body == analysed || body.Kind is not (OperationKind.MethodBody or OperationKind.ConstructorBody or OperationKind.Block))
            {
                continue;
            }

            analysed = body;

            // Most members never allocate or free a handle. The tokens tell cheaply; the operation tree (built lazily,
            // so walking it costs) tells for sure; only then is a control-flow graph worth its price.
            if (!MayAllocateOrFree(body.Syntax, callableNames))
            {
                continue;
            }

            try
            {
                var facts = CaptureFacts.Collect(body, roles, chain: null);
                if (!facts.AllocatesOrFrees)
                {
                    continue;
                }

                var graph = context.GetControlFlowGraph(block);
                AnalyzeGraph(graph, context.OwningSymbol, roles, facts, MemberName(context.OwningSymbol), context.ReportDiagnostic, context.CancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException && !_rethrowInternalErrors)
            {
                // Half-typed code can build graphs no rule here foresaw. Silence beats an AD0001 in the user's editor.
            }
        }
    }

    private static void AnalyzeGraph(
        ControlFlowGraph graph, ISymbol body, OwnershipRoles roles, CaptureFacts facts, string memberName, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        if (HandleFlowAnalysis.Run(graph, body, roles, facts, chain: null, out var identities, cancellationToken) is { } result)
        {
            OwnershipReporter.Report(result, facts, memberName, report);
        }

        foreach (var localFunction in graph.LocalFunctions)
        {
            AnalyzeGraph(graph.GetLocalFunctionControlFlowGraph(localFunction, cancellationToken), localFunction, roles, facts, memberName, report, cancellationToken);
        }

        foreach (var lambda in identities.AnonymousFunctions)
        {
            AnalyzeGraph(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), lambda.Symbol, roles, facts, memberName, report, cancellationToken);
        }
    }

    /// <summary>The body names an entry point of the role table or a possible factory, or has a <c>using</c>.</summary>
    private static bool MayAllocateOrFree(SyntaxNode body, HashSet<string> callableNames)
    {
        foreach (var token in body.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.UsingKeyword)
                || (token.IsKind(SyntaxKind.IdentifierToken) && callableNames.Contains(token.ValueText)))
            {
                return true;
            }
        }

        return false;
    }

    private static string MemberName(ISymbol member) => member switch
    {
        IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } constructor => constructor.ContainingType.Name,
        IMethodSymbol { AssociatedSymbol: { } property } => property.Name,
        _ => member.Name,
    };
}
