using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace PooledGen.Generators.Ownership;

/// <summary>
/// The one place that says which symbols allocate, release and hand over a <c>Pooled&lt;T&gt;</c> block, resolved once
/// per compilation. The flow analysis, the capture walk and the PG0012 code fix ask it and nothing else.
/// </summary>
/// <remarks>
/// <para>
/// Allocation and release entry points are the rows of <see cref="Table"/>: the type that declares the method, whether
/// it is static, its name, and the shape of its parameters. A new entry point is one row. Parameter shapes are comma
/// separated: <c>handle</c> (a <c>Pooled&lt;T&gt;</c> by value: the one a free frees), <c>in value</c> (the value a
/// block is initialised with), or the metadata name of a heap type (the heap the block comes from, as in a generated
/// <c>T.Alloc(PooledGen.LocalHeap)</c>). The declaring type is a metadata name or <see cref="PooledType"/>.
/// </para>
/// <para>
/// A type that declares an instance allocation, or is named as a heap parameter, is a heap: disposing a heap held in a
/// local or parameter releases every block this method allocated from it.
/// </para>
/// <para>
/// Methods outside the table are allocations when they are factories (see <see cref="FactoryInference"/>): marked
/// <c>[ReturnsOwnership]</c>, or inferred from their own flow. Hand-overs are <c>[TakesOwnership]</c> parameters,
/// returns and stores (see <see cref="HandleUses"/>); <see cref="KeepsArgument"/> names the stores into collections.
/// </para>
/// </remarks>
internal sealed partial class OwnershipRoles
{
    /// <summary>A [Pooled] struct, a struct implementing <c>IPooled&lt;T&gt;</c>, or <c>IPooled&lt;T&gt;</c> itself (generic code).</summary>
    private const string PooledType = "[Pooled]";

    private const bool Static = true;
    private const bool Instance = false;

    private static readonly RoleRow[] Table =
    {
        // declaring type             static    name       parameters     role
        new(PooledType,               Static,   "Alloc",   "",            OwnershipRole.Allocates),
        new(PooledType,               Static,   "Alloc",   "in value",    OwnershipRole.Allocates),
        new(PooledType,               Static,   "Free",    "handle",      OwnershipRole.Frees),
        new("PooledGen.PooledHeap",   Static,   "Alloc",   "",            OwnershipRole.Allocates),
        new("PooledGen.PooledHeap",   Static,   "Alloc",   "in value",    OwnershipRole.Allocates),
        new("PooledGen.PooledHeap",   Static,   "Free",    "handle",      OwnershipRole.Frees),
        new("PooledGen.ArenaHeap",    Instance, "Alloc",   "",            OwnershipRole.Allocates),
        new("PooledGen.ArenaHeap",    Instance, "Alloc",   "in value",    OwnershipRole.Allocates),
        new("PooledGen.ArenaHeap",    Instance, "Free",    "handle",      OwnershipRole.Frees),
        new("PooledGen.ArenaHeap",    Instance, "Dispose", "",            OwnershipRole.Disposes),
        new("PooledGen.LocalHeap",    Instance, "Alloc",   "",            OwnershipRole.Allocates),
        new("PooledGen.LocalHeap",    Instance, "Alloc",   "in value",    OwnershipRole.Allocates),
        new("PooledGen.LocalHeap",    Instance, "Free",    "handle",      OwnershipRole.Frees),
        new(PooledType,               Static,   "Alloc",   "PooledGen.LocalHeap",            OwnershipRole.Allocates),
        new(PooledType,               Static,   "Alloc",   "PooledGen.LocalHeap, in value",  OwnershipRole.Allocates),
        new(PooledType,               Static,   "Free",    "PooledGen.LocalHeap, handle",    OwnershipRole.Frees),
        new("PooledGen.Pooled`1",     Instance, "Dispose", "",            OwnershipRole.Disposes),
        new("System.IDisposable",     Instance, "Dispose", "",            OwnershipRole.Disposes), // what `using` calls
    };

    // Hand-overs are not calls of their own: returning a handle, storing it where it outlives the method (a field,
    // property or element, or a collection through one of CollectionAdders), and passing it to a [TakesOwnership]
    // parameter. HandleUses classifies them with the queries below.

    /// <summary>Collection methods that keep the element they are given (see <see cref="KeepsArgument"/>).</summary>
    private static readonly HashSet<string> CollectionAdders = new()
    {
        "Add", "AddFirst", "AddLast", "Enqueue", "Insert", "Push", "TryAdd", "TryEnqueue",
    };

    private readonly INamedTypeSymbol _handle;
    private readonly INamedTypeSymbol? _pooledInterface;
    private readonly INamedTypeSymbol? _pooledAttribute;
    private readonly INamedTypeSymbol? _takesOwnership;
    private readonly INamedTypeSymbol? _returnsOwnership;
    private readonly INamedTypeSymbol? _enumerable;
    private readonly Dictionary<string, List<ResolvedRow>> _rowsByName = new();
    private readonly HashSet<INamedTypeSymbol> _heapTypes = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, CallRole> _tableRoles = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IParameterSymbol, bool> _onlyReads = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IParameterSymbol, bool> _takesOwnershipCache = new(SymbolEqualityComparer.Default);
    private readonly System.Func<IMethodSymbol, CallRole> _computeTableRole;
    private readonly System.Func<IParameterSymbol, bool> _computeTakesOwnership;

    private OwnershipRoles(Compilation compilation, INamedTypeSymbol handle)
    {
        _handle = handle;
        _pooledInterface = compilation.GetTypeByMetadataName("PooledGen.IPooled`1");
        _pooledAttribute = compilation.GetTypeByMetadataName("PooledGen.PooledAttribute");
        _takesOwnership = compilation.GetTypeByMetadataName("PooledGen.TakesOwnershipAttribute");
        _returnsOwnership = compilation.GetTypeByMetadataName("PooledGen.ReturnsOwnershipAttribute");
        _enumerable = compilation.GetSpecialType(SpecialType.System_Collections_IEnumerable);
        _computeTableRole = ComputeTableRole;
        _computeTakesOwnership = ComputeTakesOwnership;
        ResolveTable(compilation);
        Factories = new FactoryInference(compilation, this);
    }

    /// <summary>Factories of this compilation and its references: methods outside the table that allocate.</summary>
    public FactoryInference Factories { get; }

    /// <summary>The roles, or null when the compilation does not reference PooledGen (the analyzer then does nothing).</summary>
    public static OwnershipRoles? Resolve(Compilation compilation) =>
        compilation.GetTypeByMetadataName("PooledGen.Pooled`1") is { } handle ? new OwnershipRoles(compilation, handle) : null;

    /// <summary>The names of the table's methods: a body that names none of them (nor a factory) needs no analysis.</summary>
    public IEnumerable<string> EntryPointNames => _rowsByName.Keys;

    /// <summary>True for <c>Pooled&lt;T&gt;</c> of any T.</summary>
    public bool IsHandle(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, _handle);

    /// <summary>True for a heap type: one that declares an instance allocation or is passed as the heap of one.</summary>
    public bool IsHeap(ITypeSymbol? type) => type is INamedTypeSymbol named && _heapTypes.Contains(named.OriginalDefinition);

    /// <summary>The role of <paramref name="method"/> in the table, or as a factory (inferred from the root of a chain).</summary>
    public CallRole RoleOf(IMethodSymbol method, FactoryChain? chain = null)
    {
        var role = TableRoleOf(method);
        if (role.Kind == OwnershipRole.None && IsHandle(method.ReturnType) && Factories.IsFactory(method, chain))
        {
            return new CallRole(OwnershipRole.Allocates, CallRole.NoParameter, CallRole.NoParameter);
        }

        return role;
    }

    /// <summary>The role the table gives <paramref name="method"/>: entry points only, no factory.</summary>
    public CallRole TableRoleOf(IMethodSymbol method) =>
        _rowsByName.ContainsKey(method.Name) ? _tableRoles.GetOrAdd(method.OriginalDefinition, _computeTableRole) : CallRole.None;

    /// <summary>
    /// The call allocates, frees, or disposes a handle or a heap: the calls that make a body worth a flow analysis.
    /// (A <c>using</c> of a writer or a stream calls <c>IDisposable.Dispose</c> too, and does not count.)
    /// </summary>
    public bool MattersToOwnership(IInvocationOperation call, FactoryChain? chain) => RoleOf(call.TargetMethod, chain).Kind switch
    {
        OwnershipRole.None => false,
        OwnershipRole.Disposes => Unconverted(call.Instance) is { Type: var receiver } && (IsHandle(receiver) || IsHeap(receiver)),
        _ => true,
    };

    /// <summary>The operand that names the heap a table allocation takes its block from, if it names one.</summary>
    public IOperation? HeapOperandOf(IInvocationOperation allocation, CallRole role) => role.HeapOperand switch
    {
        CallRole.Receiver => allocation.Instance,
        >= 0 => allocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == role.HeapOperand)?.Value,
        _ => null,
    };

    /// <summary>The receiver of a call of role <see cref="OwnershipRole.Disposes"/>, when it is a heap.</summary>
    public IOperation? DisposedHeap(IInvocationOperation call) =>
        TableRoleOf(call.TargetMethod).Kind == OwnershipRole.Disposes && Unconverted(call.Instance) is { } receiver && IsHeap(receiver.Type)
            ? call.Instance
            : null;

    /// <summary>The parameter, or the one it overrides, is marked <c>[TakesOwnership]</c>.</summary>
    public bool TakesOwnership(IParameterSymbol parameter) =>
        _takesOwnership is not null && _takesOwnershipCache.GetOrAdd(parameter.OriginalDefinition, _computeTakesOwnership);

    /// <summary>The method, or one it overrides or implements, is marked <c>[ReturnsOwnership]</c>.</summary>
    public bool ReturnsOwnership(IMethodSymbol method)
    {
        if (_returnsOwnership is null)
        {
            return false;
        }

        for (var (current, depth) = (method.OriginalDefinition, 0); current is not null && depth < 8; current = current.OverriddenMethod, depth++)
        {
            if (HasAttribute(current, _returnsOwnership))
            {
                return true;
            }
        }

        if (method.ContainingType is not { } type)
        {
            return false;
        }

        foreach (var contract in type.AllInterfaces)
        {
            foreach (var member in contract.GetMembers(method.Name))
            {
                if (member is IMethodSymbol candidate && HasAttribute(candidate.OriginalDefinition, _returnsOwnership)
                    && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(candidate)?.OriginalDefinition, method.OriginalDefinition))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The argument is kept by a collection: passed to <c>Add</c>, <c>Insert</c>, <c>Enqueue</c>, <c>Push</c>,
    /// <c>TryAdd</c>, … of a type that is a collection, as its element (a type parameter of the collection).
    /// </summary>
    public bool KeepsArgument(IMethodSymbol method, IParameterSymbol parameter) =>
        !method.IsStatic
        && CollectionAdders.Contains(method.Name)
        && parameter.OriginalDefinition.Type is ITypeParameterSymbol
        && _enumerable is not null
        && method.ContainingType.AllInterfaces.Contains(_enumerable, SymbolEqualityComparer.Default);

    /// <summary>
    /// True when the body of the parameter's method, in this compilation, does nothing with the parameter but read
    /// <c>Value</c>, <c>Pointer</c> or <c>IsNull</c>: passing a handle there lends it. Any other mention (passing it
    /// on, storing, returning, freeing) or a body we cannot see counts as taking the handle, so no leak is claimed.
    /// </summary>
    public bool OnlyReads(IParameterSymbol parameter) => _onlyReads.GetOrAdd(parameter.OriginalDefinition, static p => BodyOnlyReads(p));

    /// <summary>The operand under any conversions (boxing to <c>IDisposable</c>, identity).</summary>
    public static IOperation? Unconverted(IOperation? operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private bool ComputeTakesOwnership(IParameterSymbol? parameter)
    {
        for (var depth = 0; parameter is not null && depth < 8; depth++)
        {
            if (HasAttribute(parameter, _takesOwnership!))
            {
                return true;
            }

            parameter = parameter.ContainingSymbol is IMethodSymbol { OverriddenMethod: { } overridden } && parameter.Ordinal < overridden.Parameters.Length
                ? overridden.Parameters[parameter.Ordinal]
                : null;
        }

        return false;
    }

    private static bool BodyOnlyReads(IParameterSymbol parameter)
    {
        if (parameter.ContainingSymbol is not IMethodSymbol { IsAbstract: false, IsExtern: false, DeclaringSyntaxReferences.Length: 1 } method)
        {
            return false;
        }

        SyntaxNode? body = method.DeclaringSyntaxReferences[0].GetSyntax() switch
        {
            BaseMethodDeclarationSyntax declaration => (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody,
            LocalFunctionStatementSyntax localFunction => (SyntaxNode?)localFunction.Body ?? localFunction.ExpressionBody,
            _ => null,
        };
        if (body is null)
        {
            return false;
        }

        foreach (var name in body.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText == parameter.Name
                && !(name.Parent is MemberAccessExpressionSyntax access && access.Expression == name
                     && access.Name.Identifier.ValueText is "Value" or "Pointer" or "IsNull"))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasAttribute(ISymbol symbol, INamedTypeSymbol attribute) =>
        symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute));
}
