using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace PooledGen.Generators.Ownership;

/// <summary>
/// A forward may-dataflow over one control-flow graph (a method, lambda or local function body) that follows the
/// <c>Pooled&lt;T&gt;</c> handles held in its locals, parameters and compiler temporaries.
/// </summary>
/// <remarks>
/// <para>
/// The picture. Handles are values, so two variables can hold the same block. The analysis therefore keeps two maps
/// (<see cref="HandleState"/>): each variable points to a handle <em>identity</em> (an allocation site, a parameter,
/// or another place a handle came from: <see cref="HandleIdentities"/>), and each identity carries the set of
/// <see cref="HandleFacts"/> that may be true of it on the paths reaching this point: held, freed, handed on, freed by
/// a <c>using</c> to come. Sets join by union at merges, so <c>Held|Freed</c> reads "freed on some paths only".
/// </para>
/// <para>
/// The parts, after Roslyn's dispose analysis: <see cref="OwnershipRoles"/> says which calls allocate, free and hand
/// over (and <see cref="FactoryInference"/> which methods are factories); <see cref="HandleTransfer"/> is the transfer
/// function of each kind of operation; <see cref="ControlFlowWalk{TState}"/> runs it over the graph to a fixpoint;
/// the findings gather in a <see cref="HandleFlowResult"/>, which <see cref="OwnershipReporter"/> alone turns into
/// diagnostics.
/// </para>
/// <para>
/// Reports follow from the sets: a use when the set is exactly <c>Freed</c> (freed on every path) is PG0010; a free
/// when <c>Freed</c> is in the set is PG0011; an allocation identity that is <c>Held</c> at the method exit, at an
/// explicit <c>throw</c> that leaves the method, or when its last variable is overwritten is PG0012; a copy kept
/// while a <c>using</c> will free the block is PG0014.
/// </para>
/// <para>
/// Where the analysis would have to guess it gives up on that identity and says nothing: a variable that holds
/// different identities on different paths, an allocation site reached again while an older block from it is still
/// held elsewhere, handles captured by lambdas (PG0013) or alive across an await and freed somewhere (PG0013).
/// </para>
/// </remarks>
internal static class HandleFlowAnalysis
{
    /// <summary>
    /// Runs the flow over <paramref name="cfg"/> to a fixpoint. Null when there is nothing to follow or the body is out
    /// of the analysis' bounds (it then says nothing about it).
    /// </summary>
    /// <param name="cfg">The graph of the body.</param>
    /// <param name="body">The method, local function or lambda whose body it is.</param>
    /// <param name="roles">The role table of the compilation.</param>
    /// <param name="captureFacts">What the whole member says about captured and freed variables.</param>
    /// <param name="chain">The factories being inferred when this run is for one of them; null otherwise.</param>
    /// <param name="identities">The variables and identities found, also when the flow is not run (for the lambdas met).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static HandleFlowResult? Run(
        ControlFlowGraph cfg,
        ISymbol body,
        OwnershipRoles roles,
        CaptureFacts captureFacts,
        FactoryChain? chain,
        out HandleIdentities identities,
        CancellationToken cancellationToken)
    {
        identities = new HandleIdentities(cfg, body, roles, captureFacts, chain);
        if (identities.IsEmpty || identities.OverBudget)
        {
            return null;
        }

        var result = new HandleFlowResult(identities);
        var transfer = new HandleTransfer(roles, identities, result);
        try
        {
            new ControlFlowWalk<HandleState>(cfg, transfer, cancellationToken).Run(transfer.InitialState());
        }
        catch (FlowBoundsExceeded)
        {
            return null;
        }

        return result;
    }
}
