using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PooledGen.Generators.Ownership;

internal enum IdentityKind
{
    /// <summary>A block allocated at this site in this body: leaks are reported for it.</summary>
    Allocation,

    /// <summary>A handle from a parameter, field, call or collection: used and freed, never leaked, by us.</summary>
    Borrowed,

    /// <summary>Older blocks of a site reached again: not followed.</summary>
    Summary,
}

/// <summary>Where a handle came from: what the flow state's facts are about.</summary>
internal sealed class Identity
{
    public Identity(IdentityKind kind, IOperation? site, ISymbol? heap)
    {
        Kind = kind;
        Site = site;
        Heap = heap;
    }

    public IdentityKind Kind { get; }

    /// <summary>The allocating call, or the operation a borrowed handle was first read from; null for a parameter.</summary>
    public IOperation? Site { get; }

    /// <summary>The local or parameter holding the private heap the block came from; its disposal frees the block.</summary>
    public ISymbol? Heap { get; }

    /// <summary>The first variable that held it, for messages.</summary>
    public string? Name { get; set; }
}

/// <summary>A place a handle is held: a local, a by-value parameter, or a compiler temporary (flow capture).</summary>
internal sealed class Variable
{
    public Variable(ISymbol? symbol, string name)
    {
        Symbol = symbol;
        Name = name;
    }

    /// <summary>The local or parameter; null for a compiler temporary (flow capture).</summary>
    public ISymbol? Symbol { get; }

    public string Name { get; }

    /// <summary>A lambda or local function other than this body reads or writes it (see <see cref="CaptureFacts"/>).</summary>
    public bool Captured { get; set; }

    /// <summary>The resource of a <c>using</c>: the implicit dispose at the end of its scope frees what it holds.</summary>
    public bool FreedByUsing { get; set; }

    /// <summary>It held a block allocated in this body on some path.</summary>
    public bool HoldsAllocation { get; set; }
}

/// <summary>
/// The variables and identities of one control-flow graph. Variables are found once, before the flow runs; identities
/// are made for each allocation site, parameter, and place a borrowed handle is read from, within a bound that keeps a
/// pathological body from costing the build.
/// </summary>
internal sealed class HandleIdentities
{
    // Bounds that keep a pathological method from costing the build: the analysis then stays silent for it.
    private const int MaxIdentities = 4096;

    private readonly ISymbol _body;
    private readonly OwnershipRoles _roles;
    private readonly FactoryChain? _chain;
    private readonly Dictionary<ISymbol, int> _symbolVariables = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<CaptureId, int> _captureVariables = new();
    private readonly List<Variable> _variables = new();
    private readonly Dictionary<IOperation, int> _siteIdentities = new();
    private readonly Dictionary<int, int> _summaries = new();
    private readonly List<Identity> _identities = new();
    private readonly List<IFlowAnonymousFunctionOperation> _anonymousFunctions = new();
    private readonly HashSet<ISymbol> _usingHeaps = new(SymbolEqualityComparer.Default);
    private readonly HashSet<ISymbol> _releasedHeaps = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<CaptureId, ISymbol?> _capturedVariables = new();
    private readonly Dictionary<ISymbol, ISymbol?> _heapViews = new(SymbolEqualityComparer.Default);
    private readonly int _capacity;

    public HandleIdentities(ControlFlowGraph cfg, ISymbol body, OwnershipRoles roles, CaptureFacts captureFacts, FactoryChain? chain)
    {
        _body = body;
        _roles = roles;
        _chain = chain;

        var handleValues = 0;
        var stack = new Stack<IOperation>();
        foreach (var block in cfg.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                handleValues += Discover(operation, stack);
            }

            if (block.BranchValue is { } value)
            {
                handleValues += Discover(value, stack);
            }
        }

        if (body is IMethodSymbol method)
        {
            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind is RefKind.None or RefKind.In && roles.IsHandle(parameter.Type))
                {
                    AddVariable(parameter);
                }
            }
        }

        foreach (var variable in _variables)
        {
            variable.Captured = variable.Symbol is { } symbol && captureFacts.Captured.Contains(symbol);
        }

        _capacity = (2 * handleValues) + _variables.Count + 1;
    }

    public IReadOnlyList<Variable> Variables => _variables;

    public IReadOnlyList<Identity> All => _identities;

    /// <summary>The slots a state needs for facts: every identity this graph can make.</summary>
    public int Capacity => _capacity;

    /// <summary>Nothing in the graph holds or makes a handle: no flow to run.</summary>
    public bool IsEmpty => _variables.Count == 0 && _siteIdentities.Count == 0;

    /// <summary>The graph would need more identities than a body is allowed: the analysis stays silent for it.</summary>
    public bool OverBudget => _capacity > MaxIdentities;

    /// <summary>Lambdas met in this graph; each is analysed as a body of its own.</summary>
    public IReadOnlyList<IFlowAnonymousFunctionOperation> AnonymousFunctions => _anonymousFunctions;

    /// <summary>The parameters and their variables: each starts out naming a borrowed block.</summary>
    public IEnumerable<KeyValuePair<ISymbol, int>> SymbolVariables => _symbolVariables;

    public Identity this[int identity] => _identities[identity];

    /// <summary>The block comes from a heap a <c>using</c> disposes: the end of that scope frees it.</summary>
    public bool FreedByUsingHeap(int identity) => _identities[identity].Heap is { } heap && _usingHeaps.Contains(heap);

    /// <summary>The block comes from a heap this body disposes (by <c>using</c> or <c>Dispose()</c>) somewhere.</summary>
    public bool HeapReleasedHere(int identity) => _identities[identity].Heap is { } heap && _releasedHeaps.Contains(heap);

    /// <summary>The local or parameter an operation reads, also through the compiler's capture of it.</summary>
    public ISymbol? VariableRead(IOperation? operation) => OwnershipRoles.Unconverted(operation) switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFlowCaptureReferenceOperation capture when _capturedVariables.TryGetValue(capture.Id, out var variable) => variable,
        _ => null,
    };

    /// <summary>
    /// The heap variable an operand names: the local or parameter it reads, or, for a view of a heap taken into a local
    /// (<c>var local = arena.Local;</c>), the variable of that heap, whose disposal ends the view's blocks too.
    /// </summary>
    public ISymbol? HeapRead(IOperation? operation)
    {
        var heap = VariableRead(operation);
        for (var depth = 0; heap is not null && depth < 4 && _heapViews.TryGetValue(heap, out var viewed); depth++)
        {
            heap = viewed;
        }

        return heap;
    }

    /// <summary>The allocation identity of a call found to allocate, if <paramref name="call"/> is one.</summary>
    public bool TryGetAllocation(IOperation call, out int identity) =>
        _siteIdentities.TryGetValue(call, out identity) && _identities[identity].Kind == IdentityKind.Allocation;

    public int NewIdentity(IdentityKind kind, IOperation? site, ISymbol? heap = null)
    {
        _identities.Add(new Identity(kind, site, heap));
        return _identities.Count - 1;
    }

    /// <summary>The identity of handles read at <paramref name="site"/>, made on first use.</summary>
    public int IdentityAt(IOperation site, IdentityKind kind)
    {
        if (!_siteIdentities.TryGetValue(site, out var identity))
        {
            EnsureRoom();
            identity = NewIdentity(kind, site);
            _siteIdentities.Add(site, identity);
        }

        return identity;
    }

    /// <summary>The identity that stands for the older blocks of a site reached again; <paramref name="created"/> when new.</summary>
    public int SummaryOf(int identity, out bool created)
    {
        created = false;
        if (!_summaries.TryGetValue(identity, out var summary))
        {
            EnsureRoom();
            summary = NewIdentity(IdentityKind.Summary, _identities[identity].Site, _identities[identity].Heap);
            _summaries.Add(identity, summary);
            created = true;
        }

        return summary;
    }

    public bool TryGetVariable(IOperation operation, out int v)
    {
        switch (operation)
        {
            case ILocalReferenceOperation local:
                return _symbolVariables.TryGetValue(local.Local, out v);
            case IParameterReferenceOperation parameter:
                return _symbolVariables.TryGetValue(parameter.Parameter, out v);
            case IFlowCaptureReferenceOperation capture:
                return _captureVariables.TryGetValue(capture.Id, out v);
            default:
                v = -1;
                return false;
        }
    }

    public bool TryGetVariable(ISymbol local, out int v) => _symbolVariables.TryGetValue(local, out v);

    public bool TryGetVariable(CaptureId capture, out int v) => _captureVariables.TryGetValue(capture, out v);

    /// <summary>The tracked variable a handle value is stored into, or -1.</summary>
    public int StoreTarget(IOperation value)
    {
        switch (HandleUses.ParentPastConversions(value, _roles, out var child))
        {
            case ISimpleAssignmentOperation { IsRef: false } assignment when assignment.Value == child:
                return TryGetVariable(assignment.Target, out var v) ? v : -1;
            case IFlowCaptureOperation capture:
                return _captureVariables.TryGetValue(capture.Id, out var c) ? c : -1;
            default:
                return -1;
        }
    }

    /// <summary>How messages name the handle an operation reads.</summary>
    public string NameOf(IOperation handle) => handle switch
    {
        ILocalReferenceOperation local => local.Local.Name,
        IParameterReferenceOperation parameter => parameter.Parameter.Name,
        IFlowCaptureReferenceOperation capture when _captureVariables.TryGetValue(capture.Id, out var v) => _variables[v].Name,
        _ => handle.Syntax.ToString(),
    };

    private void EnsureRoom()
    {
        if (_identities.Count >= _capacity)
        {
            throw new FlowBoundsExceeded();
        }
    }

    private int Discover(IOperation root, Stack<IOperation> stack)
    {
        var handleValues = 0;
        stack.Push(root);
        while (stack.Count > 0)
        {
            var operation = stack.Pop();
            if (operation is IFlowAnonymousFunctionOperation lambda)
            {
                _anonymousFunctions.Add(lambda);
                continue;
            }

            foreach (var child in operation.ChildOperations)
            {
                stack.Push(child);
            }

            if (operation is IFlowCaptureOperation { Value: ILocalReferenceOperation or IParameterReferenceOperation } copy && !_roles.IsHandle(copy.Value.Type))
            {
                // A heap the compiler reads once, as in 'heap.Alloc(new T { ... })'. A capture given different variables on
                // different paths ('(c ? a : b).Alloc<T>()') names none of them.
                var variable = VariableRead(copy.Value);
                _capturedVariables[copy.Id] = _capturedVariables.TryGetValue(copy.Id, out var earlier) && !SymbolEqualityComparer.Default.Equals(earlier, variable)
                    ? null
                    : variable;
            }

            if (operation is ISimpleAssignmentOperation { Target: ILocalReferenceOperation { Local: var view }, Value: var value }
                && _roles.IsHeap(view.Type)
                && OwnershipRoles.Unconverted(value) is IPropertyReferenceOperation { Instance: { } owner }
                && HeapRead(owner) is { } viewed)
            {
                // Assigned views of different heaps on different paths, it stands for none of them.
                _heapViews[view] = _heapViews.TryGetValue(view, out var earlier) && !SymbolEqualityComparer.Default.Equals(earlier, viewed) ? null : viewed;
            }

            if (operation is IFlowCaptureOperation capture && _roles.IsHandle(capture.Value.Type))
            {
                if (!_captureVariables.ContainsKey(capture.Id))
                {
                    _captureVariables.Add(capture.Id, _variables.Count);
                    _variables.Add(new Variable(null, capture.Value.Syntax.ToString()));
                }

                continue;
            }

            if (operation is IInvocationOperation dispose && _roles.TableRoleOf(dispose.TargetMethod).Kind == OwnershipRole.Disposes)
            {
                if (_roles.IsHeap(OwnershipRoles.Unconverted(dispose.Instance)?.Type) && HeapRead(dispose.Instance) is { } heap)
                {
                    _releasedHeaps.Add(heap);
                }

                if (dispose.IsImplicit)
                {
                    MarkUsingResource(dispose);
                }
            }

            if (!_roles.IsHandle(operation.Type))
            {
                continue;
            }

            handleValues++;
            switch (operation)
            {
                case ILocalReferenceOperation { Local: { IsRef: false } local } when SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, _body):
                    AddVariable(local);
                    break;
                case IInvocationOperation call when !_siteIdentities.ContainsKey(call)
                    && _roles.RoleOf(call.TargetMethod, _chain) is { Kind: OwnershipRole.Allocates } role:
                    _siteIdentities.Add(call, NewIdentity(IdentityKind.Allocation, call, HeapRead(_roles.HeapOperandOf(call, role))));
                    break;
            }
        }

        return handleValues;
    }

    /// <summary>
    /// The dispose a <c>using</c> adds at the end of its scope is the only implicit call of a dispose on a handle: the
    /// variable it disposes (the declared local, or the compiler's capture of <c>using (h)</c>) is a using resource.
    /// </summary>
    private void MarkUsingResource(IInvocationOperation dispose)
    {
        if (OwnershipRoles.Unconverted(dispose.Instance) is not { } resource)
        {
            return;
        }

        if (_roles.IsHeap(resource.Type) && HeapRead(resource) is { } heap)
        {
            _usingHeaps.Add(heap);
            return;
        }

        if (!_roles.IsHandle(resource.Type))
        {
            return;
        }

        if (resource is ILocalReferenceOperation { Local: { IsRef: false } local } && SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, _body))
        {
            AddVariable(local);
        }

        // The dispose may be met before the capture's definition: make the capture's variable now.
        if (resource is IFlowCaptureReferenceOperation capture && !_captureVariables.ContainsKey(capture.Id))
        {
            _captureVariables.Add(capture.Id, _variables.Count);
            _variables.Add(new Variable(null, capture.Syntax.ToString()));
        }

        if (TryGetVariable(resource, out var v))
        {
            _variables[v].FreedByUsing = true;
        }
    }

    private void AddVariable(ISymbol symbol)
    {
        if (!_symbolVariables.ContainsKey(symbol))
        {
            _symbolVariables.Add(symbol, _variables.Count);
            _variables.Add(new Variable(symbol, symbol.Name));
        }
    }
}
