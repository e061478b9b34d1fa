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

    /// <summary>Lent to a method of this compilation that only reads it (see <see cref="OwnershipRoles.OnlyReads"/>).</summary>
    Borrow,

    /// <summary>Freed by a release of the role table (<see cref="OwnershipRoles"/>): <c>T.Free</c>, a heap's <c>Free</c>, <c>Dispose</c>.</summary>
    Free,

    /// <summary>Copied into a local, a parameter or a compiler temporary (see <see cref="HandleUse.Consumer"/>).</summary>
    Store,

    /// <summary>Handed on where the method can no longer see it: passed to a constructor or a method that may keep it,
    /// which we cannot see or which does more than read it. Reading a freed handle to do this is a use.</summary>
    HandOn,

    /// <summary>Handed on and certainly kept: returned, stored in a field, property, array or collection that outlives
    /// the method, or passed to a [TakesOwnership] parameter. As <see cref="HandOn"/>, and wrong while a <c>using</c>
    /// will free the block.</summary>
    Keep,

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
    /// <see cref="HandleUseKind.Free"/> the freeing call; for <see cref="HandleUseKind.Keep"/> by a call, the argument;
    /// otherwise the parent that consumed the value.</summary>
    public IOperation? Consumer { get; }
}

/// <summary>
/// One decision, shared by the analyzer (on control-flow-graph operations) and the PG0012 code fix (on the plain
/// operation tree): what does the parent of a handle-valued expression do with it? When in doubt the answer is
/// <see cref="HandleUseKind.Escape"/>, which silences leak reports: a noisy analyzer gets turned off.
/// </summary>
internal static class HandleUses
{
    public static HandleUse Classify(IOperation value, OwnershipRoles roles)
    {
        var parent = ParentPastConversions(value, roles, out var child);
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
                    var target => new HandleUse(OutlivesMethod(target) ? HandleUseKind.Keep : HandleUseKind.HandOn, assignment),
                };
            case IVariableInitializerOperation initializer:
                return new HandleUse(HandleUseKind.Store, initializer);
            case IFlowCaptureOperation capture:
                return new HandleUse(HandleUseKind.Store, capture);
            case IArgumentOperation argument:
                return ClassifyArgument(argument, roles);
            case IPropertyReferenceOperation property when property.Instance == child:
                return new HandleUse(property.Property.Name is "Value" or "Pointer" ? HandleUseKind.Read : HandleUseKind.Inspect, property);
            case IInvocationOperation call when call.Instance == child:
                return new HandleUse(Disposes(call, roles) ? HandleUseKind.Free : HandleUseKind.Inspect, call);
            case IConversionOperation boxing:
                return boxing.Parent is IInvocationOperation dispose && dispose.Instance == boxing && Disposes(dispose, roles)
                    ? new HandleUse(HandleUseKind.Free, dispose)
                    : new HandleUse(HandleUseKind.Escape, boxing);
            case IBinaryOperation or IIsPatternOperation or IIsTypeOperation or IIsNullOperation:
                return new HandleUse(HandleUseKind.Inspect, parent);
            case IReturnOperation { Kind: OperationKind.YieldReturn }:
                return new HandleUse(HandleUseKind.HandOn, parent); // lent to the consumer while the iterator is suspended
            case IReturnOperation:
                return new HandleUse(HandleUseKind.Keep, parent);
            default:
                return new HandleUse(HandleUseKind.Escape, parent);
        }
    }

    /// <summary>
    /// The operation that consumes a handle value, past the conversions to <c>Pooled&lt;T&gt;</c> the compiler adds;
    /// <paramref name="child"/> is the operand it consumes (the value or its outermost such conversion).
    /// </summary>
    public static IOperation? ParentPastConversions(IOperation value, OwnershipRoles roles, out IOperation child)
    {
        child = value;
        var parent = value.Parent;
        while (parent is IConversionOperation conversion && roles.IsHandle(conversion.Type))
        {
            child = parent;
            parent = parent.Parent;
        }

        return parent;
    }

    private static HandleUse ClassifyArgument(IArgumentOperation argument, OwnershipRoles roles)
    {
        var parameter = argument.Parameter;
        if (argument.Parent is IInvocationOperation call)
        {
            var method = call.TargetMethod;
            if (parameter is not null && roles.TableRoleOf(method) is { Kind: OwnershipRole.Frees } free && free.HandleParameter == parameter.Ordinal)
            {
                return new HandleUse(HandleUseKind.Free, call);
            }

            if (parameter is not null && (roles.TakesOwnership(parameter) || (roles.KeepsArgument(method, parameter) && OutlivesMethod(call.Instance))))
            {
                return new HandleUse(HandleUseKind.Keep, argument);
            }

            // A method borrows the handle only when we can see that it just reads it. Delegates, by-ref parameters and
            // methods that can hand the handle back are beyond a per-method analysis: they count as taking it.
            var borrows = method.MethodKind != MethodKind.DelegateInvoke
                && parameter is { RefKind: RefKind.None or RefKind.In }
                && !roles.IsHandle(method.ReturnType)
                && roles.OnlyReads(parameter);
            return new HandleUse(borrows ? HandleUseKind.Borrow : HandleUseKind.HandOn, call);
        }

        return parameter is not null && roles.TakesOwnership(parameter)
            ? new HandleUse(HandleUseKind.Keep, argument)
            : new HandleUse(HandleUseKind.HandOn, argument.Parent);
    }

    /// <summary>
    /// The place (a field, property, element, or the collection receiving an <c>Add</c>) is reachable after the method
    /// returns: static, or reached from <c>this</c> or a parameter. Places reached from a local may die with the method.
    /// </summary>
    private static bool OutlivesMethod(IOperation? place)
    {
        for (var depth = 0; depth < 8; depth++)
        {
            switch (OwnershipRoles.Unconverted(place))
            {
                case IFieldReferenceOperation field when !field.Field.IsStatic:
                    place = field.Instance;
                    break;
                case IPropertyReferenceOperation property when !property.Property.IsStatic:
                    place = property.Instance;
                    break;
                case IArrayElementReferenceOperation element:
                    place = element.ArrayReference;
                    break;
                case IFieldReferenceOperation or IPropertyReferenceOperation or IInstanceReferenceOperation or IParameterReferenceOperation:
                    return true;
                default:
                    return false;
            }
        }

        return false;
    }

    private static bool Disposes(IInvocationOperation call, OwnershipRoles roles) => roles.TableRoleOf(call.TargetMethod).Kind == OwnershipRole.Disposes;
}
