using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PooledGen.Generators.Ownership;

/// <summary>The spellings of a null test the analysis understands, on handles and on heaps.</summary>
internal static class NullChecks
{
    /// <summary>
    /// The operand a condition tests for null, if it is one of <c>h.IsNull</c>, <c>!h.IsNull</c>, <c>h.IsNull == false</c>,
    /// <c>h == default</c>, <c>h != Pooled&lt;T&gt;.Null</c>, <c>h is { IsNull: true }</c> on a handle, or <c>x == null</c>,
    /// <c>x is null</c> on a reference (the check a <c>using</c> of a heap makes before disposing it).
    /// </summary>
    public static IOperation? Tested(IOperation condition, OwnershipRoles roles, out bool isNullWhenTrue)
    {
        isNullWhenTrue = true;
        switch (condition)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                var operand = Tested(not.Operand, roles, out var inner);
                isNullWhenTrue = !inner;
                return operand;
            case IPropertyReferenceOperation { Property.Name: "IsNull", Instance: { } instance } when roles.IsHandle(instance.Type):
                return instance;
            case IIsNullOperation isNull:
                return OwnershipRoles.Unconverted(isNull.Operand);
            case IIsPatternOperation { Value: { } value, Pattern: IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } } }
                when value.Type is { IsReferenceType: true }:
                return OwnershipRoles.Unconverted(value);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary:
                var equals = binary.OperatorKind == BinaryOperatorKind.Equals;
                if (binary.RightOperand.ConstantValue is { HasValue: true, Value: bool right })
                {
                    var tested = Tested(binary.LeftOperand, roles, out var leftWhenTrue);
                    isNullWhenTrue = leftWhenTrue == (right == equals);
                    return tested;
                }

                if (IsNull(binary.RightOperand, roles, binary.LeftOperand))
                {
                    isNullWhenTrue = equals;
                    return OwnershipRoles.Unconverted(binary.LeftOperand);
                }

                if (IsNull(binary.LeftOperand, roles, binary.RightOperand))
                {
                    isNullWhenTrue = equals;
                    return OwnershipRoles.Unconverted(binary.RightOperand);
                }

                return null;
            case IIsPatternOperation
            {
                Value: { } value,
                Pattern: IRecursivePatternOperation { PropertySubpatterns.Length: 1 } recursive,
            }
            when roles.IsHandle(value.Type)
                && recursive.PropertySubpatterns[0] is { Member: IPropertyReferenceOperation { Property.Name: "IsNull" }, Pattern: IConstantPatternOperation constant }
                && constant.Value.ConstantValue is { HasValue: true, Value: bool isNull }:
                isNullWhenTrue = isNull;
                return value;
            default:
                return null;
        }
    }

    /// <summary><c>default</c>, <c>Pooled&lt;T&gt;.Null</c> or <c>new Pooled&lt;T&gt;()</c>: the handle of no block.</summary>
    public static bool IsNullHandle(IOperation value) =>
        OwnershipRoles.Unconverted(value) is IDefaultValueOperation
            or IPropertyReferenceOperation { Property: { IsStatic: true, Name: "Null" } }
            or IObjectCreationOperation { Arguments.IsEmpty: true, Initializer: null };

    private static bool IsNull(IOperation candidate, OwnershipRoles roles, IOperation other) =>
        roles.IsHandle(other.Type)
            ? IsNullHandle(candidate)
            : OwnershipRoles.Unconverted(candidate) is { ConstantValue: { HasValue: true, Value: null } } && other.Type is { IsReferenceType: true };
}
