using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PooledGen.Generators.Ownership;

/// <summary>
/// The factories being inferred, innermost first: a method met again while its own inference runs is recursive and
/// counts as no factory there, and what was inferred under that assumption holds only for this chain.
/// </summary>
internal sealed class FactoryChain
{
    public FactoryChain(IMethodSymbol method, FactoryChain? parent)
    {
        Method = method;
        Parent = parent;
        Depth = parent is null ? 1 : parent.Depth + 1;
    }

    public IMethodSymbol Method { get; }

    public FactoryChain? Parent { get; }

    public int Depth { get; }

    /// <summary>The inference of <see cref="Method"/> assumed something about a caller: its result is not cached.</summary>
    public bool DependsOnCallers { get; set; }
}

/// <summary>
/// Which methods outside the role table allocate: factories. A method is one when it is marked
/// <c>[ReturnsOwnership]</c> (or overrides or implements one that is), or when its body is in this compilation and
/// every return returns a block the method allocated and still holds (not freed, not handed on) or the null handle,
/// at least one of them a block. Its call sites then own the block they get, as after <c>T.Alloc()</c>.
/// </summary>
/// <remarks>
/// Inference reads the method's own flow, as <see cref="HandleFlowAnalysis"/> sees it, and may follow factories of
/// factories a few levels deep. Virtual, abstract and interface methods are not inferred (an override may differ): mark
/// them. Results are cached per compilation; a recursive factory counts as no factory on its recursive path, and a
/// result that leaned on that assumption is recomputed for each caller rather than cached, so the answer never
/// depends on the order in which methods are analysed.
/// </remarks>
internal sealed class FactoryInference
{
    /// <summary>How many factories deep inference follows factories of factories.</summary>
    private const int MaxDepth = 4;

    private readonly Compilation _compilation;
    private readonly OwnershipRoles _roles;
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _forAnyCaller = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _forCallSites = new(SymbolEqualityComparer.Default);
    private readonly Func<IMethodSymbol, bool> _inferForCallSite;
    private readonly Lazy<HashSet<string>> _candidateNames;

    public FactoryInference(Compilation compilation, OwnershipRoles roles)
    {
        _compilation = compilation;
        _roles = roles;
        _inferForCallSite = method => Infer(method, parent: null);
        _candidateNames = new Lazy<HashSet<string>>(CollectCandidateNames, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// The names of the methods that may be factories: those of this compilation that return a handle, and those of
    /// its references marked <c>[ReturnsOwnership]</c>. A body that names none of them calls no factory (local
    /// functions aside: they sit in the body that names what they call).
    /// </summary>
    public IReadOnlyCollection<string> CandidateNames => _candidateNames.Value;

    /// <summary>
    /// True when calling <paramref name="method"/> allocates. <paramref name="chain"/> is null at a call site in a body
    /// analysed for itself, and the factories being inferred when the call is met inside one of them.
    /// </summary>
    public bool IsFactory(IMethodSymbol method, FactoryChain? chain)
    {
        method = method.OriginalDefinition;
        if (_forAnyCaller.TryGetValue(method, out var known))
        {
            return known;
        }

        if (_roles.ReturnsOwnership(method))
        {
            _forAnyCaller.TryAdd(method, true);
            return true;
        }

        if (chain is null)
        {
            return _forCallSites.GetOrAdd(method, _inferForCallSite);
        }

        for (var link = chain; link is not null; link = link.Parent)
        {
            if (SymbolEqualityComparer.Default.Equals(link.Method, method))
            {
                // Recursion: every method inferred since 'link' leans on 'link' not being a factory.
                for (var leaning = chain; leaning != link; leaning = leaning.Parent!)
                {
                    leaning.DependsOnCallers = true;
                }

                return false;
            }
        }

        if (chain.Depth >= MaxDepth)
        {
            // Where the depth runs out depends on where inference started: nothing below the start is cached.
            for (var link = chain; link is not null; link = link.Parent)
            {
                link.DependsOnCallers = true;
            }

            return false;
        }

        return Infer(method, chain);
    }

    private bool Infer(IMethodSymbol method, FactoryChain? parent)
    {
        var link = new FactoryChain(method, parent);
        var isFactory = InferFromBody(method, link);
        if (!link.DependsOnCallers)
        {
            _forAnyCaller.TryAdd(method, isFactory);
        }

        return isFactory;
    }

    private bool InferFromBody(IMethodSymbol method, FactoryChain link)
    {
        if (method is not { IsAbstract: false, IsVirtual: false, IsOverride: false, IsExtern: false, ReturnsByRef: false, ReturnsByRefReadonly: false }
            || method.MethodKind is not (MethodKind.Ordinary or MethodKind.LocalFunction)
            || (method.PartialImplementationPart ?? method).DeclaringSyntaxReferences is not { Length: 1 } references
            || !_compilation.ContainsSyntaxTree(references[0].SyntaxTree))
        {
            return false;
        }

        var (graph, body) = GraphOf(method, references[0].GetSyntax());
        if (graph is null || body is null)
        {
            return false;
        }

        var captureFacts = CaptureFacts.Collect(body, _roles, link);
        return HandleFlowAnalysis.Run(graph, method, _roles, captureFacts, link, out _, CancellationToken.None) is { } result
            && result.ReturnsOnlyFreshBlocks();
    }

    /// <summary>The graph of the method's body, and the body operation; for a local function, its graph within its member's.</summary>
    private (ControlFlowGraph? Graph, IOperation? Body) GraphOf(IMethodSymbol method, SyntaxNode declaration)
    {
        var member = declaration;
        if (method.MethodKind == MethodKind.LocalFunction)
        {
            member = declaration.Ancestors().FirstOrDefault(a => a is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or CompilationUnitSyntax);
            if (member is null)
            {
                return (null, null);
            }
        }

        // The driver shares its semantic models with analyzers (they are cached per tree), and each factory is inferred
        // once per compilation: a call site cannot see a callee's body any other way.
#pragma warning disable RS1030 // Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer
        var model = _compilation.GetSemanticModel(declaration.SyntaxTree);
#pragma warning restore RS1030
        var root = model.GetOperation(member);
        var graph = root switch
        {
            IMethodBodyOperation methodBody => ControlFlowGraph.Create(methodBody),
            IConstructorBodyOperation constructorBody => ControlFlowGraph.Create(constructorBody),
            _ => null,
        };
        if (graph is null || method.MethodKind != MethodKind.LocalFunction)
        {
            return (graph, root);
        }

        var localFunction = root!.Descendants().OfType<ILocalFunctionOperation>().FirstOrDefault(f => SymbolEqualityComparer.Default.Equals(f.Symbol, method));
        return localFunction is null ? (null, null) : (LocalFunctionGraph(graph, method), localFunction);
    }

    private static ControlFlowGraph? LocalFunctionGraph(ControlFlowGraph graph, IMethodSymbol localFunction)
    {
        foreach (var candidate in graph.LocalFunctions)
        {
            var inner = graph.GetLocalFunctionControlFlowGraph(candidate);
            if (SymbolEqualityComparer.Default.Equals(candidate, localFunction))
            {
                return inner;
            }

            if (LocalFunctionGraph(inner, localFunction) is { } nested)
            {
                return nested;
            }
        }

        return null;
    }

    private HashSet<string> CollectCandidateNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        CollectCandidateNames(_compilation.Assembly.GlobalNamespace, names, marked: false);
        foreach (var assembly in _compilation.SourceModule.ReferencedAssemblySymbols)
        {
            if (assembly.Name != "PooledGen.Runtime" && assembly.Modules.Any(m => m.ReferencedAssemblies.Any(r => r.Name == "PooledGen.Runtime")))
            {
                CollectCandidateNames(assembly.GlobalNamespace, names, marked: true);
            }
        }

        return names;
    }

    private void CollectCandidateNames(INamespaceOrTypeSymbol container, HashSet<string> names, bool marked)
    {
        foreach (var member in container.GetMembers())
        {
            switch (member)
            {
                case INamespaceOrTypeSymbol nested:
                    CollectCandidateNames(nested, names, marked);
                    break;
                case IMethodSymbol method when _roles.IsHandle(method.ReturnType) && (!marked || _roles.ReturnsOwnership(method)):
                    names.Add(method.Name);
                    break;
            }
        }
    }
}
