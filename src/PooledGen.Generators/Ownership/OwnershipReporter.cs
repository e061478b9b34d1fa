using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using PooledGen.Generators.Diagnostics;

namespace PooledGen.Generators.Ownership;

/// <summary>
/// Turns the findings of one graph into PG0010-PG0014, once its states are final. Nothing else reports: the flow
/// only gathers, so a finding seen on one visit and contradicted on another is never reported.
/// </summary>
internal static class OwnershipReporter
{
    public static void Report(HandleFlowResult result, CaptureFacts captureFacts, string memberName, Action<Diagnostic> report)
    {
        var identities = result.Identities;
        var silenced = result.Silenced();

        var unknownReported = new HashSet<int>();
        for (var v = 0; v < identities.Variables.Count; v++)
        {
            var variable = identities.Variables[v];
            if (variable.Symbol is { } symbol && variable.Captured && (variable.HoldsAllocation || captureFacts.Freed.Contains(symbol)))
            {
                unknownReported.Add(v);
                report(Diagnostic.Create(DiagnosticDescriptors.OwnershipUnknown, DeclarationOf(symbol), symbol.Name, "is captured by a lambda or local function"));
            }
        }

        foreach (var (identity, v) in result.AcrossAwait)
        {
            if (!result.FreedSomewhere.Contains(identity))
            {
                continue;
            }

            silenced.Add(identity);
            if (identities.Variables[v].Symbol is { } symbol && unknownReported.Add(v))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.OwnershipUnknown, DeclarationOf(symbol), symbol.Name, "lives across an await and is freed on some path"));
            }
        }

        foreach (var pair in result.Uses)
        {
            var observed = pair.Value;
            if (!observed.Unknown && HandleFacts.FreedOnEveryPath(observed.Facts) && !silenced.Contains(observed.Identity))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.UseAfterFree, pair.Key.Syntax.GetLocation(), identities.NameOf(pair.Key)));
            }
        }

        foreach (var pair in result.Keeps)
        {
            var observed = pair.Value.Facts;
            if (!observed.Unknown && (observed.Facts & HandleFacts.UsingFrees) != 0 && !silenced.Contains(observed.Identity))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.KeptWhileUsingFrees, pair.Key.Syntax.GetLocation(), identities.NameOf(pair.Key), pair.Value.How));
            }
        }

        foreach (var pair in result.DoubleFrees)
        {
            if (!silenced.Contains(pair.Value.Identity))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.DoubleFree, pair.Key.Syntax.GetLocation(), pair.Value.Name));
            }
        }

        foreach (var identity in result.Leaks)
        {
            var allocation = identities[identity];
            if (allocation.Kind == IdentityKind.Allocation && !silenced.Contains(identity) && allocation.Site is { } site)
            {
                report(Diagnostic.Create(DiagnosticDescriptors.Leak, site.Syntax.GetLocation(), allocation.Name ?? site.Syntax.ToString(), memberName));
            }
        }
    }

    private static Location DeclarationOf(ISymbol symbol) => symbol.Locations.IsEmpty ? Location.None : symbol.Locations[0];
}
