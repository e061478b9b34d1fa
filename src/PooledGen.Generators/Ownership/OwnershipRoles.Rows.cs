using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace PooledGen.Generators.Ownership;

/// <summary>How the rows of the role table are resolved against a compilation and matched against a method.</summary>
internal sealed partial class OwnershipRoles
{
    private void ResolveTable(Compilation compilation)
    {
        var owners = new Dictionary<string, INamedTypeSymbol?>();
        INamedTypeSymbol? TypeNamed(string name)
        {
            if (!owners.TryGetValue(name, out var type))
            {
                type = compilation.GetTypeByMetadataName(name);
                owners.Add(name, type);
            }

            return type;
        }

        foreach (var row in Table)
        {
            var owner = row.Owner == PooledType ? null : TypeNamed(row.Owner);
            if (row.Owner != PooledType && owner is null)
            {
                continue; // an entry point of a runtime version this compilation does not reference
            }

            var shape = new ParameterShape[row.Parameters.Length];
            var resolved = true;
            for (var i = 0; i < shape.Length; i++)
            {
                shape[i] = row.Parameters[i] switch
                {
                    "handle" => new ParameterShape(ParameterKind.Handle, null),
                    "in value" => new ParameterShape(ParameterKind.InValue, null),
                    var heapName => new ParameterShape(ParameterKind.Heap, TypeNamed(heapName)),
                };
                if (shape[i] is { Kind: ParameterKind.Heap, HeapType: null })
                {
                    resolved = false;
                }
                else if (shape[i].HeapType is { } heapType)
                {
                    _heapTypes.Add(heapType);
                }
            }

            if (!resolved)
            {
                continue;
            }

            if (owner is not null && row.Role == OwnershipRole.Allocates && !row.IsStatic)
            {
                _heapTypes.Add(owner);
            }

            if (!_rowsByName.TryGetValue(row.Name, out var rows))
            {
                rows = new List<ResolvedRow>();
                _rowsByName.Add(row.Name, rows);
            }

            rows.Add(new ResolvedRow(row, owner, shape));
        }
    }

    private CallRole ComputeTableRole(IMethodSymbol method)
    {
        foreach (var row in _rowsByName[method.Name])
        {
            if (method.IsStatic != row.Row.IsStatic
                || method.Parameters.Length != row.Shape.Length
                || (row.Row.Role == OwnershipRole.Allocates && !IsHandle(method.ReturnType))
                || !(row.Owner is null ? IsPooledType(method.ContainingType) : SymbolEqualityComparer.Default.Equals(method.ContainingType?.OriginalDefinition, row.Owner)))
            {
                continue;
            }

            var handleParameter = CallRole.NoParameter;
            var heapOperand = row.Owner is not null && !row.Row.IsStatic && _heapTypes.Contains(row.Owner) ? CallRole.Receiver : CallRole.NoParameter;
            var matches = true;
            for (var i = 0; i < row.Shape.Length && matches; i++)
            {
                var parameter = method.Parameters[i];
                switch (row.Shape[i].Kind)
                {
                    case ParameterKind.Handle:
                        matches = parameter.RefKind == RefKind.None && IsHandle(parameter.Type);
                        handleParameter = i;
                        break;
                    case ParameterKind.InValue:
                        matches = parameter.RefKind == RefKind.In && !IsHandle(parameter.Type);
                        break;
                    default:
                        matches = SymbolEqualityComparer.Default.Equals(parameter.Type.OriginalDefinition, row.Shape[i].HeapType);
                        heapOperand = i;
                        break;
                }
            }

            if (matches)
            {
                return new CallRole(row.Row.Role, handleParameter, heapOperand);
            }
        }

        return CallRole.None;
    }

    private bool IsPooledType(INamedTypeSymbol? type)
    {
        if (type is null)
        {
            return false;
        }

        var definition = type.OriginalDefinition;
        return SymbolEqualityComparer.Default.Equals(definition, _pooledInterface)
            || (_pooledInterface is not null && type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, _pooledInterface)))
            || (_pooledAttribute is not null && HasAttribute(type, _pooledAttribute));
    }

    private enum ParameterKind : byte
    {
        Handle,
        InValue,
        Heap,
    }

    private readonly struct ParameterShape
    {
        public ParameterShape(ParameterKind kind, INamedTypeSymbol? heapType)
        {
            Kind = kind;
            HeapType = heapType;
        }

        public ParameterKind Kind { get; }

        public INamedTypeSymbol? HeapType { get; }
    }

    /// <summary>One row of <see cref="Table"/> as written.</summary>
    private sealed class RoleRow
    {
        public RoleRow(string owner, bool isStatic, string name, string parameters, OwnershipRole role)
        {
            Owner = owner;
            IsStatic = isStatic;
            Name = name;
            Parameters = parameters.Length == 0 ? new string[0] : parameters.Split(',').Select(p => p.Trim()).ToArray();
            Role = role;
        }

        public string Owner { get; }

        public bool IsStatic { get; }

        public string Name { get; }

        public string[] Parameters { get; }

        public OwnershipRole Role { get; }
    }

    /// <summary>A row whose types this compilation resolved.</summary>
    private sealed class ResolvedRow
    {
        public ResolvedRow(RoleRow row, INamedTypeSymbol? owner, ParameterShape[] shape)
        {
            Row = row;
            Owner = owner;
            Shape = shape;
        }

        public RoleRow Row { get; }

        /// <summary>The declaring type, or null for <see cref="PooledType"/>.</summary>
        public INamedTypeSymbol? Owner { get; }

        public ParameterShape[] Shape { get; }
    }
}
