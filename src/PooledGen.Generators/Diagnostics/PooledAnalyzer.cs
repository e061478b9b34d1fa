using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using PooledGen.Generators.Layout;
using PooledGen.Generators.Targets;
using static PooledGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace PooledGen.Generators.Diagnostics;

/// <summary>
/// Reports, for every type marked <c>[Pooled]</c>, why it cannot be pooled (PG0002, PG0003, PG0004) and what its
/// size costs (PG0001, PG0005, PG0006). What is valid and how big a struct is are decided by
/// <see cref="PooledTargetRules"/> and <see cref="LayoutCalculator"/>, the functions the generator calls too;
/// this analyzer chooses what to say and where.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class PooledAnalyzer : DiagnosticAnalyzer
{
    private const string PooledAttributeMetadataName = "PooledGen.PooledAttribute";

    private static readonly SymbolDisplayFormat s_typeFormat = SymbolDisplayFormat.CSharpErrorMessageFormat;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(TooLarge, NotUnmanaged, NotPartial, UnsupportedTarget, SizeClassWaste, SizeUnknown);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            // No runtime reference, no [Pooled] types: nothing to analyze.
            if (start.Compilation.GetTypeByMetadataName(PooledAttributeMetadataName) is not { } pooledAttribute)
            {
                return;
            }

            var threshold = SmallObjectThreshold.Read(start.Options.AnalyzerConfigOptionsProvider.GlobalOptions);
            start.RegisterSymbolAction(context => AnalyzeType(context, pooledAttribute, threshold), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, INamedTypeSymbol pooledAttribute, int threshold)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var attribute = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, pooledAttribute));
        if (attribute is null)
        {
            return;
        }

        var cancellationToken = context.CancellationToken;
        var location = TypeNameLocation(type, attribute, cancellationToken);
        var name = type.ToDisplayString(s_typeFormat);

        var verdict = PooledTargetRules.Check(type, cancellationToken);
        if (verdict.UnsupportedReason is { } reason)
        {
            context.ReportDiagnostic(Diagnostic.Create(UnsupportedTarget, location, name, reason));
            return;
        }

        // Not partial and holding a reference are independent mistakes: say both, so one build shows all the work.
        if (!verdict.NotPartialTypes.IsEmpty)
        {
            context.ReportDiagnostic(Diagnostic.Create(NotPartial, location, name, DescribeNotPartial(type, verdict.NotPartialTypes)));
        }

        // A member named like a generated one is fixed by renaming it, whatever else is wrong: report each clash on the
        // member (on the struct's name when that is the clash).
        foreach (var clash in verdict.MemberClashes)
        {
            var clashLocation = clash.Member?.Locations.FirstOrDefault(l => l.IsInSource) ?? location;
            context.ReportDiagnostic(Diagnostic.Create(UnsupportedTarget, clashLocation, name, clash.Reason));
        }

        if (verdict.ReferenceField is { } reference)
        {
            var fieldLocation = TopLevelFieldLocation(type, reference.Path) ?? location;
            context.ReportDiagnostic(Diagnostic.Create(NotUnmanaged, fieldLocation, name, reference.Path, reference.TypeDisplay));
            return;
        }

        var layout = LayoutCalculator.Compute(type, cancellationToken);
        if (!layout.IsKnown)
        {
            // An unresolved type or a cycle is already a compiler error; only an opaque struct is ours to explain.
            if (layout.UnknownReason == LayoutUnknownReason.OpaqueType)
            {
                context.ReportDiagnostic(Diagnostic.Create(SizeUnknown, location, name, layout.UnknownTypeName));
            }

            return;
        }

        if (layout.Size > threshold)
        {
            context.ReportDiagnostic(Diagnostic.Create(TooLarge, location, name, layout.Size, threshold, DescribeLargeObject(layout.Size, threshold)));
            return;
        }

        if (SizeClassWasteRule.Evaluate(layout, CanReorderInSource(type, cancellationToken)) is { } waste)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                SizeClassWaste,
                location,
                WasteProperties(waste),
                name,
                waste.Size,
                waste.BlockSize,
                waste.WastedBytes,
                DescribeWaste(waste)));
        }
    }

    /// <summary>The identifier of the declaration that carries [Pooled] (a partial type has several declarations).</summary>
    internal static Location TypeNameLocation(INamedTypeSymbol type, AttributeData attribute, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).Parent?.Parent is BaseTypeDeclarationSyntax declaration)
        {
            return declaration.Identifier.GetLocation();
        }

        return type.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
    }

    /// <summary>
    /// Where the field named by the first step of <paramref name="path"/> is declared in the struct itself (an
    /// auto-property or a record parameter by its own name), or null when it is not declared in source.
    /// </summary>
    private static Location? TopLevelFieldLocation(INamedTypeSymbol type, string path)
    {
        var dot = path.IndexOf('.');
        var first = dot < 0 ? path : path.Substring(0, dot);
        return type.GetMembers(first)
            .Where(m => m is IFieldSymbol or IPropertySymbol or IEventSymbol)
            .SelectMany(m => m.Locations)
            .FirstOrDefault(l => l.IsInSource);
    }

    /// <summary>"it", "its containing type 'Outer'", "it and its containing types 'Outer' and 'Inner'" (outermost first).</summary>
    private static string DescribeNotPartial(INamedTypeSymbol type, ImmutableArray<INamedTypeSymbol> notPartialTypes)
    {
        var itself = notPartialTypes.Contains(type, SymbolEqualityComparer.Default);
        var containers = notPartialTypes
            .Where(t => !SymbolEqualityComparer.Default.Equals(t, type))
            .Reverse()
            .Select(t => "'" + t.Name + "'")
            .ToList();

        if (containers.Count == 0)
        {
            return "it";
        }

        var list = containers.Count == 1
            ? containers[0]
            : string.Join(", ", containers.Take(containers.Count - 1)) + " and " + containers[containers.Count - 1];
        var phrase = (containers.Count == 1 ? "its containing type " : "its containing types ") + list;
        return itself ? "it and " + phrase : phrase;
    }

    private static string DescribeLargeObject(int size, int threshold) =>
        size > SizeClasses.SmallObjectThreshold
            ? ": it is served by the large-object path, not pooled"
            : $": it is still pooled, in the {SizeClasses.BlockSize(size)}-byte class, but the project sets PooledGenSmallObjectThreshold to {threshold}";

    private static string DescribeWaste(SizeClassWasteFinding waste) =>
        waste.HasBetterOrder
            ? $"; ordering the fields {string.Join(", ", waste.BetterOrder)} makes it {waste.BetterSize} bytes, in the {waste.BetterBlockSize}-byte class"
            : "; a struct this small leaves at least half of its block unused";

    private static ImmutableDictionary<string, string?> WasteProperties(SizeClassWasteFinding waste) =>
        waste.HasBetterOrder
            ? ImmutableDictionary<string, string?>.Empty.Add(
                DiagnosticProperties.FieldOrder,
                string.Join(DiagnosticProperties.FieldOrderSeparator.ToString(), waste.BetterOrder))
            : ImmutableDictionary<string, string?>.Empty;

    /// <summary>
    /// True when every instance field is a field or auto-property declared in one and the same declaration, so a
    /// new order can be written in source. A positional record's fields come from its parameters (reordering
    /// them would change its constructor), and fields spread over partial declarations have no order in C#.
    /// </summary>
    private static bool CanReorderInSource(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var declarations = new HashSet<SyntaxNode>();
        foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
        {
            if (field.IsStatic || field.IsConst)
            {
                continue;
            }

            var declared = field.AssociatedSymbol ?? field;
            if (declared.DeclaringSyntaxReferences.Length != 1)
            {
                return false;
            }

            var member = declared.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken).FirstAncestorOrSelf<MemberDeclarationSyntax>();
            var movable = member switch
            {
                FieldDeclarationSyntax => declared is IFieldSymbol,
                PropertyDeclarationSyntax property => SourceMembers.IsAutoProperty(property),
                _ => false,
            };
            if (!movable || member!.Parent is not TypeDeclarationSyntax declaration)
            {
                return false;
            }

            declarations.Add(declaration);
        }

        return declarations.Count == 1;
    }
}
