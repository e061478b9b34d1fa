using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PooledGen.Generators.Diagnostics;

/// <summary>Syntax facts the analyzer and the code fixes must agree on.</summary>
internal static class SourceMembers
{
    /// <summary>
    /// An instance auto-property (<c>{ get; set; }</c>): the compiler gives it a backing field, so it is one of the
    /// struct's fields and can be moved like one. A property with accessor bodies is not.
    /// </summary>
    public static bool IsAutoProperty(PropertyDeclarationSyntax property) =>
        !property.Modifiers.Any(SyntaxKind.StaticKeyword)
        && !property.Modifiers.Any(SyntaxKind.AbstractKeyword)
        && property.ExpressionBody is null
        && property.AccessorList is { } accessors
        && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null);
}
