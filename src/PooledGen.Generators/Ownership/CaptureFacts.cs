using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PooledGen.Generators.Ownership;

/// <summary>
/// Facts about a whole member body, lambdas included, that one control-flow graph cannot see: which handle
/// variables a lambda or local function captures, and which of them are freed anywhere in the member.
/// </summary>
internal sealed class CaptureFacts
{
    private CaptureFacts()
    {
    }

    /// <summary>Locals and parameters referenced from a lambda or local function other than the one declaring them.</summary>
    public HashSet<ISymbol> Captured { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>Locals and parameters passed to a free anywhere in the member.</summary>
    public HashSet<ISymbol> Freed { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// The member allocates, frees or disposes a handle or a heap somewhere. Without that none of PG0010-PG0014 can
    /// apply, and the member (most members) costs no control-flow graph.
    /// </summary>
    public bool AllocatesOrFrees { get; private set; }

    /// <summary>One walk over the member's operations, lambdas included.</summary>
    /// <param name="memberBody">The body of the member (or of the local function) to collect from.</param>
    /// <param name="roles">The role table.</param>
    /// <param name="chain">The factories being inferred when this body is one of them; null for a body analysed for itself.</param>
    public static CaptureFacts Collect(IOperation memberBody, OwnershipRoles roles, FactoryChain? chain)
    {
        var facts = new CaptureFacts();
        foreach (var operation in memberBody.Descendants())
        {
            if (!facts.AllocatesOrFrees && operation is IInvocationOperation call && roles.MattersToOwnership(call, chain))
            {
                facts.AllocatesOrFrees = true;
            }

            ISymbol? variable = operation switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            if (variable is null || !roles.IsHandle(operation.Type))
            {
                continue;
            }

            if (EnclosingFunction(operation) is { } function && !SymbolEqualityComparer.Default.Equals(variable.ContainingSymbol, function))
            {
                facts.Captured.Add(variable);
            }

            if (HandleUses.Classify(operation, roles).Kind == HandleUseKind.Free)
            {
                facts.Freed.Add(variable);
            }
        }

        return facts;
    }

    private static IMethodSymbol? EnclosingFunction(IOperation operation)
    {
        for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
        {
            switch (parent)
            {
                case IAnonymousFunctionOperation lambda:
                    return lambda.Symbol;
                case ILocalFunctionOperation localFunction:
                    return localFunction.Symbol;
            }
        }

        return null;
    }
}
