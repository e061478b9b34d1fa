using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PooledGen.Generators.Ownership;

/// <summary>What the code around a handle-valued expression does with the handle.</summary>
internal enum HandleUseKind
{
    /// <summary>The value is dropped: an expression statement or an assignment to <c>_</c>.</summary>
    Discard,

    /// <summary>Only looked at: <c>IsNull</c>, <c>==</c>, <c>Equals</c>, patterns. Harmless even after a free.</summary>
    Inspect,

    /// <summary>The block is reached through <c>Value</c> or <c>Pointer</c>.</summary>
    Read,

    /// <summary>Lent to a method of this compilation that only reads it (see <see cref="PooledSymbols.OnlyReads"/>).</summary>
    Borrow,

    /// <summary>Freed: <c>PooledHeap.Free</c>, <c>T.Free</c>, <c>Dispose</c>.</summary>
    Free,

    /// <summary>Copied into a local, a parameter or a compiler temporary (see <see cref="HandleUse.Consumer"/>).</summary>
    Store,

    /// <summary>Handed on where the method can no longer see it: returned, stored in a field, array or collection,
    /// passed to a [TakesOwnership] parameter or to code we cannot see. Reading a freed handle to do this is a use.</summary>
    HandOn,

    /// <summary>Leaves our sight without being read as a handle (boxing, tuples, anything not understood).</summary>
    Escape,
}

/// <summary>A classified use: the kind and the operation that consumes the handle (assignment, call, ...).</summary>
internal readonly struct HandleUse
{
    public HandleUse(HandleUseKind kind, IOperation? consumer)
    {
        Kind = kind;
        Consumer = consumer;
    }

    public HandleUseKind Kind { get; }

    /// <summary>For <see cref="HandleUseKind.Store"/> the assignment, initializer or flow capture; for
    /// <see cref="HandleUseKind.Free"/> the freeing call; otherwise the parent that consumed the value.</summary>
    public IOperation? Consumer { get; }
}

/// <summary>
/// One decision, shared by the analyzer (on control-flow-graph operations) and the PG0012 code fix (on the plain
/// operation tree): what does the parent of a handle-valued expression do with it? When in doubt the answer is
/// <see cref="HandleUseKind.Escape"/>, which silences leak reports: a noisy analyzer gets turned off.
/// </summary>
internal static class HandleUses
{
    public static HandleUse Classify(IOperation value, PooledSymbols symbols)
    {
        var child = value;
        var parent = value.Parent;
        while (parent is IConversionOperation identity && symbols.IsHandle(identity.Type))
        {
            child = parent;
            parent = parent.Parent;
        }

        switch (parent)
        {
            case null:
            case IExpressionStatementOperation:
                return new HandleUse(HandleUseKind.Discard, parent);
            case ISimpleAssignmentOperation assignment when assignment.Value == child:
                if (assignment.IsRef)
                {
                    return new HandleUse(HandleUseKind.Escape, assignment);
                }

                return assignment.Target switch
                {
                    IDiscardOperation => new HandleUse(HandleUseKind.Discard, assignment),
                    ILocalReferenceOperation or IParameterReferenceOperation => new HandleUse(HandleUseKind.Store, assignment),
                    _ => new HandleUse(HandleUseKind.HandOn, assignment),
                };
            case IVariableInitializerOperation initializer:
                return new HandleUse(HandleUseKind.Store, initializer);
            case IFlowCaptureOperation capture:
                return new HandleUse(HandleUseKind.Store, capture);
            case IArgumentOperation argument:
                return ClassifyArgument(argument, symbols);
            case IPropertyReferenceOperation property when property.Instance == child:
                return new HandleUse(property.Property.Name is "Value" or "Pointer" ? HandleUseKind.Read : HandleUseKind.Inspect, property);
            case IInvocationOperation call when call.Instance == child:
                return new HandleUse(symbols.IsDispose(call.TargetMethod) ? HandleUseKind.Free : HandleUseKind.Inspect, call);
            case IConversionOperation boxing:
                return boxing.Parent is IInvocationOperation dispose && dispose.Instance == boxing && symbols.IsDispose(dispose.TargetMethod)
                    ? new HandleUse(HandleUseKind.Free, dispose)
                    : new HandleUse(HandleUseKind.Escape, boxing);
            case IBinaryOperation or IIsPatternOperation or IIsTypeOperation or IIsNullOperation:
                return new HandleUse(HandleUseKind.Inspect, parent);
            case IReturnOperation:
                return new HandleUse(HandleUseKind.HandOn, parent);
            default:
                return new HandleUse(HandleUseKind.Escape, parent);
        }
    }

    private static HandleUse ClassifyArgument(IArgumentOperation argument, PooledSymbols symbols)
    {
        if (argument.Parent is IInvocationOperation call)
        {
            var method = call.TargetMethod;
            if (symbols.IsStaticFree(method))
            {
                return new HandleUse(HandleUseKind.Free, call);
            }

            // A method borrows the handle only when we can see that it just reads it and it does not say otherwise with
            // [TakesOwnership]. Delegates, by-ref parameters and methods that can hand the handle back are beyond a
            // per-method analysis: they count as taking it.
            var borrows = method.MethodKind != MethodKind.DelegateInvoke
                && argument.Parameter is { RefKind: RefKind.None or RefKind.In } parameter
                && !symbols.IsHandle(method.ReturnType)
                && !symbols.TakesOwnership(parameter)
                && symbols.OnlyReads(parameter);
            return new HandleUse(borrows ? HandleUseKind.Borrow : HandleUseKind.HandOn, call);
        }

        return new HandleUse(HandleUseKind.HandOn, argument.Parent);
    }
}
