using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PooledGen.CodeFixes;

/// <summary>Finds the type declaration a PooledGen diagnostic is reported on: the analyzer puts it on the type's name.</summary>
internal static class ReportedType
{
    /// <summary>The declaration whose identifier is the diagnostic's location, or null (e.g. the code changed since).</summary>
    public static TypeDeclarationSyntax? Find(SyntaxNode root, Diagnostic diagnostic)
    {
        var span = diagnostic.Location.SourceSpan;
        return root.FindToken(span.Start).Parent?.AncestorsAndSelf()
            .OfType<TypeDeclarationSyntax>()
            .FirstOrDefault(t => t.Identifier.Span == span);
    }
}
