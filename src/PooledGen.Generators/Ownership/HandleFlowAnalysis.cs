using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PooledGen.Generators.Diagnostics;

namespace PooledGen.Generators.Ownership;

/// <summary>
/// A forward may-dataflow over one control-flow graph (a method, lambda or local function body) that follows the
/// <c>Pooled&lt;T&gt;</c> handles held in its locals, parameters and compiler temporaries.
/// </summary>
/// <remarks>
/// <para>
/// The picture. Handles are values, so two variables can hold the same block. The analysis therefore keeps two maps:
/// each variable points to a handle <em>identity</em> (an allocation site, a parameter, or another place a handle
/// came from), and each identity carries the set of things that may be true of it on the paths reaching this point:
/// <see cref="Held"/> (allocated and not yet freed or handed on), <see cref="Freed"/>, <see cref="Escaped"/>.
/// Sets join by union at merges, so <c>Held|Freed</c> reads "freed on some paths only".
/// </para>
/// <para>
/// Reports follow from the sets: a use when the set is exactly <c>Freed</c> (freed on every path) is PG0010; a free
/// when <c>Freed</c> is in the set is PG0011; an allocation identity that is <c>Held</c> at the method exit, at an
/// explicit <c>throw</c> that leaves the method, or when its last variable is overwritten is PG0012.
/// </para>
/// <para>
/// Where the analysis would have to guess it gives up on that identity and says nothing: a variable that holds
/// different identities on different paths, an allocation site reached again while an older block from it is still
/// held elsewhere, handles captured by lambdas (PG0013) or alive across an await and freed somewhere (PG0013).
/// </para>
/// <para>
/// Finally regions are replayed for each branch that goes through them, so a finally sees the state of the path
/// that entered it rather than a blend of all paths. Any statement in a <c>try</c> with a <c>catch</c> may throw:
/// the state before each statement flows into the handlers. Other implicit exceptions are not followed.
/// </para>
/// </remarks>
internal sealed partial class HandleFlowAnalysis
{
    private const byte Held = 1;
    private const byte Freed = 2;
    private const byte Escaped = 4;

    private const int Unassigned = -1;
    private const int NullHandle = -2;
    private const int Conflict = -3;

    // Bounds that keep a pathological method from costing the build: the analysis then stays silent for it.
    private const int MaxIdentities = 4096;
    private const int StepsPerBlock = 64;

    private readonly ControlFlowGraph _cfg;
    private readonly ISymbol _body;
    private readonly PooledSymbols _symbols;
    private readonly CaptureFacts _captureFacts;
    private readonly string _memberName;
    private readonly CancellationToken _cancellationToken;

    private readonly Dictionary<ISymbol, int> _symbolVariables = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<CaptureId, int> _captureVariables = new();
    private readonly List<Variable> _variables = new();

    private readonly Dictionary<IOperation, int> _siteIdentities = new();
    private readonly Dictionary<int, int> _summaries = new();
    private readonly List<Identity> _identities = new();
    private readonly int _identityCapacity;

    private readonly bool[] _catchAbove;
    private readonly List<IFlowAnonymousFunctionOperation> _anonymousFunctions = new();
    private readonly Stack<(IOperation Operation, bool ChildrenDone)> _visitStack = new();

    // Findings, gathered while iterating and judged once the states are final.
    private readonly HashSet<int> _lost = new();
    private readonly HashSet<int> _captured = new();
    private readonly HashSet<int> _freedSomewhere = new();
    private readonly HashSet<(int Identity, int Variable)> _acrossAwait = new();
    private readonly Dictionary<IOperation, UseFacts> _uses = new();
    private readonly Dictionary<IOperation, (int Identity, string Name)> _doubleFrees = new();
    private readonly HashSet<int> _leaks = new();

    private int _steps;
    private readonly int _maxSteps;

    public HandleFlowAnalysis(
        ControlFlowGraph cfg, ISymbol body, PooledSymbols symbols, CaptureFacts captureFacts, string memberName, CancellationToken cancellationToken)
    {
        _cfg = cfg;
        _body = body;
        _symbols = symbols;
        _captureFacts = captureFacts;
        _memberName = memberName;
        _cancellationToken = cancellationToken;
        _catchAbove = new bool[cfg.Blocks.Length];
        _maxSteps = (cfg.Blocks.Length * StepsPerBlock) + 1000;

        var handleValues = DiscoverVariables();
        _identityCapacity = (2 * handleValues) + _variables.Count + 1;
    }

    /// <summary>Lambdas met in this graph; each is analysed as a body of its own.</summary>
    public IReadOnlyList<IFlowAnonymousFunctionOperation> AnonymousFunctions => _anonymousFunctions;

    /// <summary>Runs the dataflow to a fixpoint and reports what it proved. Silent when the method is out of bounds.</summary>
    public void Run(Action<Diagnostic> report)
    {
        if (_variables.Count == 0 && _siteIdentities.Count == 0)
        {
            return;
        }

        if (_identityCapacity > MaxIdentities)
        {
            return;
        }

        try
        {
            var main = new FlowContext(0, _cfg.Blocks.Length - 1, parent: null);
            JoinInto(main, 0, InitialState());
            Drain(main);
        }
        catch (GiveUp)
        {
            return;
        }

        Report(report);
    }

    // ---- Discovery -------------------------------------------------------------------------------------------

    private int DiscoverVariables()
    {
        var handleValues = 0;
        foreach (var block in _cfg.Blocks)
        {
            _catchAbove[block.Ordinal] = HasCatchAbove(block);
            foreach (var operation in block.Operations)
            {
                handleValues += Discover(operation);
            }

            if (block.BranchValue is { } value)
            {
                handleValues += Discover(value);
            }
        }

        if (_body is IMethodSymbol method)
        {
            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind is RefKind.None or RefKind.In && _symbols.IsHandle(parameter.Type))
                {
                    AddVariable(parameter);
                }
            }
        }

        return handleValues;
    }

    private int Discover(IOperation root)
    {
        var handleValues = 0;
        var stack = new Stack<IOperation>();
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

            if (operation is IFlowCaptureOperation capture && _symbols.IsHandle(capture.Value.Type))
            {
                if (!_captureVariables.ContainsKey(capture.Id))
                {
                    _captureVariables.Add(capture.Id, _variables.Count);
                    _variables.Add(new Variable(null, capture.Value.Syntax.ToString()));
                }

                continue;
            }

            if (!_symbols.IsHandle(operation.Type))
            {
                continue;
            }

            handleValues++;
            switch (operation)
            {
                case ILocalReferenceOperation { Local: { IsRef: false } local } when SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, _body):
                    AddVariable(local);
                    break;
                case IInvocationOperation call when _symbols.IsAlloc(call.TargetMethod) && !_siteIdentities.ContainsKey(call):
                    _siteIdentities.Add(call, NewIdentity(IdentityKind.Allocation, call));
                    break;
            }
        }

        return handleValues;
    }

    private void AddVariable(ISymbol symbol)
    {
        if (!_symbolVariables.ContainsKey(symbol))
        {
            _symbolVariables.Add(symbol, _variables.Count);
            _variables.Add(new Variable(symbol, symbol.Name) { Captured = _captureFacts.Captured.Contains(symbol) });
        }
    }

    private static bool HasCatchAbove(BasicBlock block)
    {
        for (var region = block.EnclosingRegion; region is not null; region = region.EnclosingRegion)
        {
            if (region.Kind == ControlFlowRegionKind.Try && region.EnclosingRegion?.Kind == ControlFlowRegionKind.TryAndCatch)
            {
                return true;
            }
        }

        return false;
    }

    private State InitialState()
    {
        var state = new State(_variables.Count, _identityCapacity);
        foreach (var pair in _symbolVariables)
        {
            if (pair.Key is IParameterSymbol)
            {
                var identity = NewIdentity(IdentityKind.Borrowed, null);
                state.Variables[pair.Value] = identity;
                state.Facts[identity] = Held;
            }
        }

        return state;
    }

    private int NewIdentity(IdentityKind kind, IOperation? site)
    {
        _identities.Add(new Identity(kind, site));
        return _identities.Count - 1;
    }

    private int IdentityAt(IOperation site, IdentityKind kind)
    {
        if (!_siteIdentities.TryGetValue(site, out var identity))
        {
            if (_identities.Count >= _identityCapacity)
            {
                throw new GiveUp();
            }

            identity = NewIdentity(kind, site);
            _siteIdentities.Add(site, identity);
        }

        return identity;
    }

    private int SummaryOf(int identity)
    {
        if (!_summaries.TryGetValue(identity, out var summary))
        {
            if (_identities.Count >= _identityCapacity)
            {
                throw new GiveUp();
            }

            summary = NewIdentity(IdentityKind.Summary, _identities[identity].Site);
            _summaries.Add(identity, summary);
            _lost.Add(summary);
        }

        return summary;
    }

    // ---- Fixpoint ----------------------------------------------------------------------------------------------

    private void Drain(FlowContext context)
    {
        while (context.Work.Count > 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (++_steps > _maxSteps)
            {
                throw new GiveUp();
            }

            var ordinal = context.Work.Min;
            context.Work.Remove(ordinal);
            Transfer(_cfg.Blocks[ordinal], context.Entry[ordinal].Clone(), context);
        }
    }

    private void JoinInto(FlowContext context, int ordinal, State state)
    {
        var target = context;
        while (target is not null && (ordinal < target.First || ordinal > target.Last))
        {
            target = target.Parent;
        }

        if (target is null)
        {
            return;
        }

        if (!target.Entry.TryGetValue(ordinal, out var existing))
        {
            target.Entry.Add(ordinal, state.Clone());
            target.Work.Add(ordinal);
        }
        else if (Join(existing, state))
        {
            target.Work.Add(ordinal);
        }
    }

    private bool Join(State into, State from)
    {
        var changed = false;
        for (var v = 0; v < into.Variables.Length; v++)
        {
            var a = into.Variables[v];
            var b = from.Variables[v];
            if (a == b || b == Unassigned || (b == NullHandle && a != Unassigned))
            {
                continue;
            }

            int merged;
            if (a == Unassigned || a == NullHandle)
            {
                merged = b;
            }
            else
            {
                // Different blocks on different paths: following both would mean guessing. Stop following them.
                merged = Conflict;
                MarkLost(a);
                MarkLost(b);
            }

            if (merged != a)
            {
                into.Variables[v] = merged;
                changed = true;
            }
        }

        for (var i = 0; i < into.Facts.Length; i++)
        {
            var facts = (byte)(into.Facts[i] | from.Facts[i]);
            if (facts != into.Facts[i])
            {
                into.Facts[i] = facts;
                changed = true;
            }
        }

        return changed;
    }

    private void MarkLost(int identity)
    {
        if (identity >= 0)
        {
            _lost.Add(identity);
        }
    }

    private void Transfer(BasicBlock block, State state, FlowContext context)
    {
        if (block.Kind == BasicBlockKind.Exit)
        {
            CheckLeaks(state);
            return;
        }

        foreach (var operation in block.Operations)
        {
            if (_catchAbove[block.Ordinal])
            {
                PropagateException(block, state.Clone(), context, explicitThrow: false);
            }

            Visit(operation, state, returnValue: false);
        }

        var fallThrough = block.FallThroughSuccessor;
        if (block.BranchValue is { } branchValue)
        {
            Visit(branchValue, state, returnValue: fallThrough?.Semantics == ControlFlowBranchSemantics.Return);
        }

        if (block.ConditionalSuccessor is { } conditional && block.BranchValue is { } condition)
        {
            var jumpsWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
            var taken = state.Clone();
            RefineNullCheck(condition, jumpsWhen, taken);
            FollowBranch(conditional, taken, context);
            RefineNullCheck(condition, !jumpsWhen, state);
        }

        FollowBranch(fallThrough, state, context);
    }

    private void FollowBranch(ControlFlowBranch? branch, State state, FlowContext context)
    {
        if (branch is null)
        {
            return;
        }

        switch (branch.Semantics)
        {
            case ControlFlowBranchSemantics.Throw:
            case ControlFlowBranchSemantics.Rethrow:
                PropagateException(branch.Source, state, context, explicitThrow: true);
                return;
            case ControlFlowBranchSemantics.StructuredExceptionHandling:
                if (context.FinallyExit is null)
                {
                    context.FinallyExit = state.Clone();
                }
                else
                {
                    Join(context.FinallyExit, state);
                }

                return;
            case ControlFlowBranchSemantics.Regular:
            case ControlFlowBranchSemantics.Return:
                break;
            default:
                return; // erroneous code, program termination
        }

        foreach (var region in branch.FinallyRegions)
        {
            if (Replay(region, state, context) is not { } after)
            {
                return; // the finally never completes normally
            }

            state = after;
        }

        // Locals and temporaries that go out of scope no longer name a block (after the finally that may use them).
        foreach (var region in branch.LeavingRegions)
        {
            foreach (var local in region.Locals)
            {
                if (_symbolVariables.TryGetValue(local, out var v))
                {
                    state.Variables[v] = Unassigned;
                }
            }

            foreach (var capture in region.CaptureIds)
            {
                if (_captureVariables.TryGetValue(capture, out var v))
                {
                    state.Variables[v] = Unassigned;
                }
            }
        }

        if (branch.Destination is { } destination)
        {
            JoinInto(context, destination.Ordinal, state);
        }
    }

    /// <summary>Runs a finally region from the state of one path entering it; null if it never completes.</summary>
    private State? Replay(ControlFlowRegion finallyRegion, State state, FlowContext context)
    {
        var replay = new FlowContext(finallyRegion.FirstBlockOrdinal, finallyRegion.LastBlockOrdinal, context);
        JoinInto(replay, finallyRegion.FirstBlockOrdinal, state);
        Drain(replay);
        return replay.FinallyExit;
    }

    private void PropagateException(BasicBlock from, State state, FlowContext context, bool explicitThrow)
    {
        for (var region = from.EnclosingRegion; region is not null; region = region.EnclosingRegion)
        {
            if (region.Kind != ControlFlowRegionKind.Try || region.EnclosingRegion is not { } guarded)
            {
                continue;
            }

            if (guarded.Kind == ControlFlowRegionKind.TryAndFinally)
            {
                if (Replay(guarded.NestedRegions[guarded.NestedRegions.Length - 1], state, context) is not { } after)
                {
                    return;
                }

                state = after;
            }
            else if (guarded.Kind == ControlFlowRegionKind.TryAndCatch)
            {
                // Which handler matches is not known; assuming one does can only hide a leak, never invent one.
                for (var i = 1; i < guarded.NestedRegions.Length; i++)
                {
                    JoinInto(context, guarded.NestedRegions[i].FirstBlockOrdinal, state);
                }

                return;
            }

            region = guarded;
        }

        if (explicitThrow)
        {
            CheckLeaks(state);
        }
    }

    private void RefineNullCheck(IOperation condition, bool conditionValue, State state)
    {
        if (NullTest(condition, out var isNullWhenTrue) is { } handle
            && TryGetVariable(handle, out var v)
            && state.Variables[v] is var identity and >= 0
            && conditionValue == isNullWhenTrue)
        {
            // On this edge the handle is null: there is no block to free, leak or use.
            state.Facts[identity] = 0;
        }
    }

    /// <summary>
    /// The handle a condition tests for null, if it is one of <c>h.IsNull</c>, <c>!h.IsNull</c>, <c>h.IsNull == false</c>,
    /// <c>h == default</c>, <c>h != Pooled&lt;T&gt;.Null</c>, <c>h is { IsNull: true }</c>.
    /// </summary>
    private IOperation? NullTest(IOperation condition, out bool isNullWhenTrue)
    {
        isNullWhenTrue = true;
        switch (condition)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                var operand = NullTest(not.Operand, out var inner);
                isNullWhenTrue = !inner;
                return operand;
            case IPropertyReferenceOperation { Property.Name: "IsNull", Instance: { } instance } when _symbols.IsHandle(instance.Type):
                return instance;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary:
                var equals = binary.OperatorKind == BinaryOperatorKind.Equals;
                if (binary.RightOperand.ConstantValue is { HasValue: true, Value: bool right })
                {
                    var tested = NullTest(binary.LeftOperand, out var leftWhenTrue);
                    isNullWhenTrue = leftWhenTrue == (right == equals);
                    return tested;
                }

                if (_symbols.IsHandle(binary.LeftOperand.Type) && IsNullHandle(binary.RightOperand))
                {
                    isNullWhenTrue = equals;
                    return binary.LeftOperand;
                }

                if (_symbols.IsHandle(binary.RightOperand.Type) && IsNullHandle(binary.LeftOperand))
                {
                    isNullWhenTrue = equals;
                    return binary.RightOperand;
                }

                return null;
            case IIsPatternOperation
            {
                Value: { } value,
                Pattern: IRecursivePatternOperation { PropertySubpatterns.Length: 1 } recursive,
            }
            when _symbols.IsHandle(value.Type)
                && recursive.PropertySubpatterns[0] is { Member: IPropertyReferenceOperation { Property.Name: "IsNull" }, Pattern: IConstantPatternOperation constant }
                && constant.Value.ConstantValue is { HasValue: true, Value: bool isNull }:
                isNullWhenTrue = isNull;
                return value;
            default:
                return null;
        }
    }

    private static bool IsNullHandle(IOperation value)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        return value is IDefaultValueOperation
            or IPropertyReferenceOperation { Property: { IsStatic: true, Name: "Null" } }
            or IObjectCreationOperation { Arguments.IsEmpty: true, Initializer: null };
    }

    // ---- Transfer of one operation tree -----------------------------------------------------------------------

    private void Visit(IOperation root, State state, bool returnValue)
    {
        // Post-order without recursion: deep expression trees must not overflow the compiler's stack.
        var stack = _visitStack;
        stack.Clear();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (operation, childrenDone) = stack.Pop();
            if (operation is IFlowAnonymousFunctionOperation)
            {
                continue;
            }

            if (!childrenDone)
            {
                stack.Push((operation, true));
                foreach (var child in operation.ChildOperations.Reverse())
                {
                    stack.Push((child, false));
                }

                continue;
            }

            if (operation.Kind == OperationKind.Await)
            {
                OnAwait(state);
            }

            if (_symbols.IsHandle(operation.Type))
            {
                OnHandleValue(operation, state, returnValue && operation == root);
            }
        }
    }

    private void OnHandleValue(IOperation operation, State state, bool returnValue)
    {
        int identity;
        var isAllocation = false;
        switch (operation)
        {
            case ILocalReferenceOperation or IParameterReferenceOperation or IFlowCaptureReferenceOperation:
                if (!TryGetVariable(operation, out var v))
                {
                    return;
                }

                switch (WriteTargetOf(operation))
                {
                    case WriteTarget.Assignment:
                        return; // the assigned value does the write
                    case WriteTarget.Deconstruction:
                        WriteVariable(v, Fresh(IdentityAt(operation, IdentityKind.Borrowed), v, state), state);
                        return;
                }

                if (PassedByReference(operation, out var isOut))
                {
                    // The callee gets the variable, not the block: it may free, keep or replace the handle (resetting a
                    // freed handle through 'ref' is fine), so the old block is handed on and the variable named anew.
                    if (!isOut)
                    {
                        Escape(state.Variables[v], state);
                    }

                    WriteVariable(v, Fresh(IdentityAt(operation, IdentityKind.Borrowed), v, state), state);
                    return;
                }

                identity = state.Variables[v];
                break;
            case IInvocationOperation call when _siteIdentities.TryGetValue(call, out var site) && _identities[site].Kind == IdentityKind.Allocation:
                isAllocation = true;
                identity = Fresh(site, StoreTarget(call), state);
                break;
            case ISimpleAssignmentOperation { IsRef: false } chained when TryGetVariable(chained.Target, out var assigned):
                identity = state.Variables[assigned]; // 'a = b = X.Alloc()': a names what b now names
                break;
            default:
                identity = Unassigned;
                break;
        }

        var use = HandleUses.Classify(operation, _symbols);
        var kind = use.Kind;
        if (returnValue && kind == HandleUseKind.Discard)
        {
            kind = HandleUseKind.HandOn;
        }

        switch (kind)
        {
            case HandleUseKind.Discard:
            case HandleUseKind.Inspect:
                if (isAllocation)
                {
                    Drop(identity, state);
                }

                break;
            case HandleUseKind.Read:
            case HandleUseKind.Borrow:
                if (isAllocation)
                {
                    Drop(identity, state);
                }
                else
                {
                    Use(operation, identity, state);
                }

                break;
            case HandleUseKind.Free:
                Free(identity, use.Consumer!, operation, state);
                break;
            case HandleUseKind.Store:
                if (StoreTarget(operation) is var target and >= 0)
                {
                    WriteVariable(target, identity >= 0 ? identity : IdentityOfUntrackedValue(operation, target, state), state);
                }
                else
                {
                    Escape(identity, state);
                }

                break;
            case HandleUseKind.HandOn:
                if (!isAllocation)
                {
                    Use(operation, identity, state);
                }

                Escape(identity, state);
                break;
            default:
                Escape(identity, state);
                break;
        }
    }

    private int IdentityOfUntrackedValue(IOperation value, int target, State state)
    {
        if (IsNullHandle(value))
        {
            return NullHandle;
        }

        // A handle from a field, a call or a collection: not ours to free, but a double free of it is still a bug.
        return Fresh(IdentityAt(value, IdentityKind.Borrowed), target, state);
    }

    /// <summary>
    /// A site produces a new block. Variables still holding the site's previous block move to a summary identity that
    /// is no longer followed; if none does and that block was still held, it can no longer be freed: a leak.
    /// </summary>
    private int Fresh(int identity, int target, State state)
    {
        var olderBlockStillNamed = false;
        for (var v = 0; v < state.Variables.Length; v++)
        {
            if (v != target && state.Variables[v] == identity)
            {
                var summary = SummaryOf(identity);
                state.Variables[v] = summary;
                state.Facts[summary] |= state.Facts[identity];
                olderBlockStillNamed = true;
            }
        }

        if (!olderBlockStillNamed && _identities[identity].Kind == IdentityKind.Allocation && (state.Facts[identity] & Held) != 0)
        {
            _leaks.Add(identity);
        }

        state.Facts[identity] = Held;
        return identity;
    }

    private void WriteVariable(int v, int identity, State state)
    {
        var old = state.Variables[v];
        if (old >= 0 && old != identity && !NamedByAnotherVariable(old, v, state))
        {
            if (_identities[old].Kind == IdentityKind.Allocation && (state.Facts[old] & Held) != 0)
            {
                _leaks.Add(old); // the last name of a held block is overwritten
            }

            // Nothing names the old block any more, so nothing can use or free it through us: forget its facts, or a
            // path that freed it and cleared the variable ('Free(h); h = default;') would taint the paths that did not.
            state.Facts[old] = 0;
        }

        state.Variables[v] = identity;
        if (identity >= 0)
        {
            var variable = _variables[v];
            if (variable.Captured)
            {
                _captured.Add(identity);
            }

            if (_identities[identity].Kind == IdentityKind.Allocation)
            {
                variable.HoldsAllocation = true;
                _identities[identity].Name ??= variable.Symbol?.Name;
            }
        }
    }

    private static bool NamedByAnotherVariable(int identity, int except, State state)
    {
        for (var v = 0; v < state.Variables.Length; v++)
        {
            if (v != except && state.Variables[v] == identity)
            {
                return true;
            }
        }

        return false;
    }

    private void Drop(int identity, State state)
    {
        if (identity >= 0)
        {
            _leaks.Add(identity);
            state.Facts[identity] = 0;
        }
    }

    private static void Escape(int identity, State state)
    {
        if (identity >= 0 && (state.Facts[identity] & Held) != 0)
        {
            state.Facts[identity] = (byte)((state.Facts[identity] & ~Held) | Escaped);
        }
    }

    private void Free(int identity, IOperation freeing, IOperation handle, State state)
    {
        if (identity < 0)
        {
            return;
        }

        _freedSomewhere.Add(identity);
        if ((state.Facts[identity] & Freed) != 0 && !_doubleFrees.ContainsKey(freeing))
        {
            _doubleFrees.Add(freeing, (identity, NameOf(handle)));
        }

        state.Facts[identity] = Freed;
    }

    private void Use(IOperation reference, int identity, State state)
    {
        if (!_uses.TryGetValue(reference, out var facts))
        {
            facts = new UseFacts(identity);
            _uses.Add(reference, facts);
        }

        if (identity < 0 || identity != facts.Identity)
        {
            facts.Unknown = true;
        }
        else
        {
            facts.Facts |= state.Facts[identity];
        }
    }

    private void OnAwait(State state)
    {
        for (var v = 0; v < state.Variables.Length; v++)
        {
            var identity = state.Variables[v];
            if (identity >= 0 && (state.Facts[identity] & Held) != 0)
            {
                _acrossAwait.Add((identity, v));
            }
        }
    }

    private void CheckLeaks(State state)
    {
        for (var identity = 0; identity < _identities.Count; identity++)
        {
            if (_identities[identity].Kind == IdentityKind.Allocation && (state.Facts[identity] & Held) != 0)
            {
                _leaks.Add(identity);
            }
        }
    }

    // ---- Variables ---------------------------------------------------------------------------------------------

    private bool TryGetVariable(IOperation operation, out int v)
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

    /// <summary>The tracked variable a handle value is stored into, or -1.</summary>
    private int StoreTarget(IOperation value)
    {
        var child = value;
        var parent = value.Parent;
        while (parent is IConversionOperation conversion && _symbols.IsHandle(conversion.Type))
        {
            child = parent;
            parent = parent.Parent;
        }

        switch (parent)
        {
            case ISimpleAssignmentOperation { IsRef: false } assignment when assignment.Value == child:
                return TryGetVariable(assignment.Target, out var v) ? v : -1;
            case IFlowCaptureOperation capture:
                return _captureVariables.TryGetValue(capture.Id, out var c) ? c : -1;
            default:
                return -1;
        }
    }

    private static WriteTarget WriteTargetOf(IOperation reference)
    {
        var child = reference;
        var parent = reference.Parent;
        while (parent is ITupleOperation or IDeclarationExpressionOperation)
        {
            child = parent;
            parent = parent.Parent;
        }

        return parent switch
        {
            ISimpleAssignmentOperation assignment when assignment.Target == child => WriteTarget.Assignment,
            IDeconstructionAssignmentOperation deconstruction when deconstruction.Target == child => WriteTarget.Deconstruction,
            _ => WriteTarget.None,
        };
    }

    private static bool PassedByReference(IOperation reference, out bool isOut)
    {
        var parent = reference.Parent is IDeclarationExpressionOperation declaration ? declaration.Parent : reference.Parent;
        isOut = parent is IArgumentOperation { Parameter.RefKind: RefKind.Out };
        return parent is IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref };
    }

    private string NameOf(IOperation handle) => handle switch
    {
        ILocalReferenceOperation local => local.Local.Name,
        IParameterReferenceOperation parameter => parameter.Parameter.Name,
        IFlowCaptureReferenceOperation capture when _captureVariables.TryGetValue(capture.Id, out var v) => _variables[v].Name,
        _ => handle.Syntax.ToString(),
    };

    // ---- Reporting ---------------------------------------------------------------------------------------------

    private void Report(Action<Diagnostic> report)
    {
        var silenced = new HashSet<int>(_lost);
        silenced.UnionWith(_captured);

        var unknownReported = new HashSet<int>();
        for (var v = 0; v < _variables.Count; v++)
        {
            var variable = _variables[v];
            if (variable.Symbol is { } symbol && variable.Captured && (variable.HoldsAllocation || _captureFacts.Freed.Contains(symbol)))
            {
                unknownReported.Add(v);
                report(Diagnostic.Create(DiagnosticDescriptors.OwnershipUnknown, DeclarationOf(symbol), symbol.Name, "is captured by a lambda or local function"));
            }
        }

        foreach (var (identity, v) in _acrossAwait)
        {
            if (!_freedSomewhere.Contains(identity))
            {
                continue;
            }

            silenced.Add(identity);
            if (_variables[v].Symbol is { } symbol && unknownReported.Add(v))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.OwnershipUnknown, DeclarationOf(symbol), symbol.Name, "lives across an await and is freed on some path"));
            }
        }

        foreach (var pair in _uses)
        {
            var facts = pair.Value;
            if (!facts.Unknown && facts.Facts == Freed && !silenced.Contains(facts.Identity))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.UseAfterFree, pair.Key.Syntax.GetLocation(), NameOf(pair.Key)));
            }
        }

        foreach (var pair in _doubleFrees)
        {
            if (!silenced.Contains(pair.Value.Identity))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.DoubleFree, pair.Key.Syntax.GetLocation(), pair.Value.Name));
            }
        }

        foreach (var identity in _leaks)
        {
            var allocation = _identities[identity];
            if (allocation.Kind == IdentityKind.Allocation && !silenced.Contains(identity) && allocation.Site is { } site)
            {
                report(Diagnostic.Create(DiagnosticDescriptors.Leak, site.Syntax.GetLocation(), allocation.Name ?? site.Syntax.ToString(), _memberName));
            }
        }
    }

    private static Location DeclarationOf(ISymbol symbol) => symbol.Locations.IsEmpty ? Location.None : symbol.Locations[0];
}
