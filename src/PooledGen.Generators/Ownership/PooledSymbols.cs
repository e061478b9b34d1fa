using System.Collections.Concurrent;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PooledGen.Generators.Ownership;

/// <summary>
/// The PooledGen runtime symbols the ownership analysis needs, resolved once per compilation, and the questions
/// it asks about calls: does this allocate a handle, free one, or take one over?
/// </summary>
internal sealed class PooledSymbols
{
    private readonly INamedTypeSymbol _handle;
    private readonly INamedTypeSymbol? _heap;
    private readonly INamedTypeSymbol? _pooledInterface;
    private readonly INamedTypeSymbol? _pooledAttribute;
    private readonly INamedTypeSymbol? _takesOwnership;
    private readonly INamedTypeSymbol? _disposable;
    private readonly ConcurrentDictionary<IParameterSymbol, bool> _onlyReads = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IParameterSymbol, bool> _takesOwnershipCache = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, MethodRole> _roles = new(SymbolEqualityComparer.Default);
    private readonly System.Func<IMethodSymbol, MethodRole> _computeRole;
    private readonly System.Func<IParameterSymbol, bool> _computeTakesOwnership;

    private PooledSymbols(Compilation compilation, INamedTypeSymbol handle)
    {
        _handle = handle;
        _heap = compilation.GetTypeByMetadataName("PooledGen.PooledHeap");
        _pooledInterface = compilation.GetTypeByMetadataName("PooledGen.IPooled`1");
        _pooledAttribute = compilation.GetTypeByMetadataName("PooledGen.PooledAttribute");
        _takesOwnership = compilation.GetTypeByMetadataName("PooledGen.TakesOwnershipAttribute");
        _disposable = compilation.GetSpecialType(SpecialType.System_IDisposable);
        _computeRole = ComputeRole;
        _computeTakesOwnership = ComputeTakesOwnership;
    }

    private enum MethodRole : byte
    {
        None,
        Alloc,
        Free,
        Dispose,
    }

    /// <summary>The symbols, or null when the compilation does not reference PooledGen (the analyzer then does nothing).</summary>
    public static PooledSymbols? Resolve(Compilation compilation) =>
        compilation.GetTypeByMetadataName("PooledGen.Pooled`1") is { } handle ? new PooledSymbols(compilation, handle) : null;

    /// <summary>True for <c>Pooled&lt;T&gt;</c> of any T.</summary>
    public bool IsHandle(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, _handle);

    /// <summary><c>PooledHeap.Alloc</c>, <c>T.Alloc</c> through <c>IPooled&lt;T&gt;</c>, or a [Pooled] type's static <c>Alloc</c>.</summary>
    public bool IsAlloc(IMethodSymbol method) => RoleOf(method) == MethodRole.Alloc;

    /// <summary><c>PooledHeap.Free</c>, <c>T.Free</c> through <c>IPooled&lt;T&gt;</c>, or a [Pooled] type's static <c>Free</c>.</summary>
    public bool IsStaticFree(IMethodSymbol method) => RoleOf(method) == MethodRole.Free;

    /// <summary><c>Pooled&lt;T&gt;.Dispose()</c>, called directly or through <c>IDisposable</c> (as <c>using</c> does).</summary>
    public bool IsDispose(IMethodSymbol method) => RoleOf(method) == MethodRole.Dispose;

    /// <summary>Allocates, frees or disposes a handle: the calls that make a body worth a flow analysis.</summary>
    public bool AllocatesOrFrees(IMethodSymbol method) => RoleOf(method) != MethodRole.None;

    // The name filter keeps the cache to the few methods that can matter; the cache keeps attribute and interface
    // lookups to once per method per compilation.
    private MethodRole RoleOf(IMethodSymbol method) =>
        method.Name is "Alloc" or "Free" or "Dispose" ? _roles.GetOrAdd(method.OriginalDefinition, _computeRole) : MethodRole.None;

    private MethodRole ComputeRole(IMethodSymbol method)
    {
        switch (method.Name)
        {
            case "Alloc" when method.IsStatic && IsHandle(method.ReturnType) && IsHeapOrPooledType(method.ContainingType):
                return MethodRole.Alloc;
            case "Free" when method.IsStatic && method.Parameters.Length == 1 && IsHandle(method.Parameters[0].Type) && IsHeapOrPooledType(method.ContainingType):
                return MethodRole.Free;
            case "Dispose" when !method.IsStatic && method.Parameters.IsEmpty
                && (IsHandle(method.ContainingType) || SymbolEqualityComparer.Default.Equals(method.ContainingType, _disposable)):
                return MethodRole.Dispose;
            default:
                return MethodRole.None;
        }
    }

    /// <summary>The parameter, or the one it overrides, is marked <c>[TakesOwnership]</c>.</summary>
    public bool TakesOwnership(IParameterSymbol parameter) =>
        _takesOwnership is not null && _takesOwnershipCache.GetOrAdd(parameter.OriginalDefinition, _computeTakesOwnership);

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

    /// <summary>
    /// True when the body of the parameter's method, in this compilation, does nothing with the parameter but read
    /// <c>Value</c>, <c>Pointer</c> or <c>IsNull</c>: passing a handle there lends it. Any other mention (passing it
    /// on, storing, returning, freeing) or a body we cannot see counts as taking the handle, so no leak is claimed.
    /// </summary>
    public bool OnlyReads(IParameterSymbol parameter) => _onlyReads.GetOrAdd(parameter.OriginalDefinition, static p => BodyOnlyReads(p));

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

    private bool IsHeapOrPooledType(INamedTypeSymbol? type)
    {
        if (type is null)
        {
            return false;
        }

        var definition = type.OriginalDefinition;
        return SymbolEqualityComparer.Default.Equals(definition, _heap)
            || SymbolEqualityComparer.Default.Equals(definition, _pooledInterface)
            || (_pooledInterface is not null && type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, _pooledInterface)))
            || (_pooledAttribute is not null && HasAttribute(type, _pooledAttribute));
    }

    private static bool HasAttribute(ISymbol symbol, INamedTypeSymbol attribute) =>
        symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute));
}
