using System;
using System.Collections.Immutable;
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
/// double free (PG0011), leaks (PG0012), and handles whose ownership cannot be followed (PG0013).
/// See <see cref="HandleFlowAnalysis"/> for the analysis itself.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OwnershipAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Tests set this so that a bug in the analysis fails the test instead of silencing the method.</summary>
    internal static bool RethrowInternalErrors { get; set; }

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UseAfterFree,
        DiagnosticDescriptors.DoubleFree,
        DiagnosticDescriptors.Leak,
        DiagnosticDescriptors.OwnershipUnknown);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (PooledSymbols.Resolve(start.Compilation) is { } symbols)
            {
                start.RegisterOperationBlockAction(block => AnalyzeMember(block, symbols));
            }
        });
    }

    private static void AnalyzeMember(OperationBlockAnalysisContext context, PooledSymbols symbols)
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
            if (!MayAllocateOrFree(body.Syntax))
            {
                continue;
            }

            try
            {
                var facts = CaptureFacts.Collect(body, symbols);
                if (!facts.AllocatesOrFrees)
                {
                    continue;
                }

                var graph = context.GetControlFlowGraph(block);
                AnalyzeGraph(graph, context.OwningSymbol, symbols, facts, MemberName(context.OwningSymbol), context.ReportDiagnostic, context.CancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException && !RethrowInternalErrors)
            {
                // Half-typed code can build graphs no rule here foresaw. Silence beats an AD0001 in the user's editor.
            }
        }
    }

    private static void AnalyzeGraph(
        ControlFlowGraph graph, ISymbol body, PooledSymbols symbols, CaptureFacts facts, string memberName, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        var analysis = new HandleFlowAnalysis(graph, body, symbols, facts, memberName, cancellationToken);
        analysis.Run(report);

        foreach (var localFunction in graph.LocalFunctions)
        {
            AnalyzeGraph(graph.GetLocalFunctionControlFlowGraph(localFunction, cancellationToken), localFunction, symbols, facts, memberName, report, cancellationToken);
        }

        foreach (var lambda in analysis.AnonymousFunctions)
        {
            AnalyzeGraph(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), lambda.Symbol, symbols, facts, memberName, report, cancellationToken);
        }
    }

    private static bool MayAllocateOrFree(SyntaxNode body)
    {
        foreach (var token in body.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.UsingKeyword)
                || (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText is "Alloc" or "Free" or "Dispose"))
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
