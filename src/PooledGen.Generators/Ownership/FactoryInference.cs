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
/// The factories being inferred, innermost first, for one call site's question. A method met again while its own
/// inference runs is recursive and counts as no factory there; what was inferred under that assumption, or where the
/// depth or the budget ran out, holds only for this question.
/// </summary>
internal sealed class FactoryChain
{
    public FactoryChain(IMethodSymbol method, FactoryChain? parent)
    {
        Method = method;
        Parent = parent;
        Root = parent?.Root ?? this;
        Depth = parent is null ? 1 : parent.Depth + 1;
    }

    public IMethodSymbol Method { get; }

    public FactoryChain? Parent { get; }

    /// <summary>The link of the method the call site asked about.</summary>
    public FactoryChain Root { get; }

    public int Depth { get; }

    /// <summary>How many levels of inference the result of <see cref="Method"/> rests on, its own included.</summary>
    public int Height { get; set; } = 1;

    /// <summary>On the root: the inferences made, or reused from the cache, for this question so far.</summary>
    public int Spent { get; set; }

    /// <summary>The result of <see cref="Method"/> rests on where the question started: it is not cached for others.</summary>
    public bool DependsOnCallers { get; set; }

    /// <summary>Marks this link and its callers up to <paramref name="last"/> (all of them when null) as depending on their callers.</summary>
    public void DependUpTo(FactoryChain? last)
    {
        for (var link = this; link is not null; link = link.Parent)
        {
            link.DependsOnCallers = true;
            if (link == last)
            {
                return;
            }
        }
    }
}

/// <summary>
/// Which methods outside the role table allocate: factories. A method is one when it is marked
/// <c>[ReturnsOwnership]</c> (or overrides or implements one that is), or when its body is in this compilation and
/// every return returns a block the method allocated and still holds (not freed, not handed on) or the null handle,
/// at least one of them a block. Its call sites then own the block they get, as after <c>T.Alloc()</c>.
/// </summary>
/// <remarks>
/// Inference reads the method's own flow, as <see cref="HandleFlowAnalysis"/> sees it, and follows factories of
/// factories up to <see cref="MaxDepth"/> levels and <see cref="MaxInferences"/> methods per question. Virtual,
/// abstract and interface methods are not inferred (an override may differ): mark them. A recursive factory counts as
/// no factory on its recursive path. Results are cached per compilation, but one that rests on recursion or on a bound
/// running out is kept only as the answer for the method asked about, and a cached result is reused only where
/// computing it afresh would give the same: the answer never depends on the order in which methods are analysed.
/// </remarks>
internal sealed class FactoryInference
{
    /// <summary>How many factories deep inference follows factories of factories.</summary>
    private const int MaxDepth = 4;

    /// <summary>How many methods one question may infer, so that clusters of recursive methods cost little.</summary>
    private const int MaxInferences = 32;

    private readonly Compilation _compilation;
    private readonly OwnershipRoles _roles;
    private readonly ConcurrentDictionary<IMethodSymbol, Inferred> _forAnyCaller = new(SymbolEqualityComparer.Default);
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
            if (chain is null)
            {
                return known.IsFactory;
            }

            // Reused only where inferring afresh would stay within the same bounds (it then gives the same answer).
            if (chain.Depth + known.Height <= MaxDepth && chain.Root.Spent + known.Cost <= MaxInferences)
            {
                chain.Root.Spent += known.Cost;
                chain.Height = Math.Max(chain.Height, known.Height + 1);
                return known.IsFactory;
            }
        }
        else if (_roles.ReturnsOwnership(method))
        {
            _forAnyCaller.TryAdd(method, new Inferred(true, Height: 0, Cost: 0));
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
                chain.DependUpTo(link); // recursion: the cycle's methods lean on 'link' not being a factory
                return false;
            }
        }

        if (chain.Depth >= MaxDepth || chain.Root.Spent >= MaxInferences)
        {
            chain.DependUpTo(null); // where a bound runs out depends on where the question started
            return false;
        }

        return Infer(method, chain);
    }

    private bool Infer(IMethodSymbol method, FactoryChain? parent)
    {
        var link = new FactoryChain(method, parent);
        var spentBefore = link.Root.Spent++;
        var isFactory = InferFromBody(method, link);
        if (parent is not null)
        {
            parent.Height = Math.Max(parent.Height, link.Height + 1);
        }

        if (!link.DependsOnCallers)
        {
            _forAnyCaller.TryAdd(method, new Inferred(isFactory, link.Height, link.Root.Spent - spentBefore));
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

    /// <summary>A result that holds for any caller: the answer, the levels and the inferences it took.</summary>
    private readonly record struct Inferred(bool IsFactory, int Height, int Cost);
}
