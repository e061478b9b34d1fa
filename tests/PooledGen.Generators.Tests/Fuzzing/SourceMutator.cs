using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PooledGen.Generators.Tests.Fuzzing;

/// <summary>
/// Breaks a source file the way an editor sees it between keystrokes, or worse: tokens deleted, duplicated, swapped
/// or truncated; types renamed; attributes moved to wherever; junk inserted; numbers made extreme. Deterministic:
/// the same source and seed give the same mutant.
/// </summary>
internal static class SourceMutator
{
    private static readonly string[] Junk =
    [
        "{", "}", ";", "<", ">", "(", ")", ",", "[", "]", "[Pooled]", "[Pooled(]", "fixed", "unsafe", "partial", "struct",
        "record", "class", "ref", "static", "readonly", "where T : unmanaged", "<T>", "delegate*<int>", "int.MaxValue",
        "[StructLayout(LayoutKind.Explicit)]", "[FieldOffset(-1)]", "[StructLayout(LayoutKind.Sequential, Pack = 0)]",
        "[System.Runtime.CompilerServices.InlineArray(0)]", "public fixed int Z[int.MaxValue];", "public Missing M;",
        "public S Self;", "=>", "default", "new()", "?", "*", "&", "#if", "\"", "'", "/*", "global::", "::", "@",
    ];

    private static readonly string[] ExtremeNumbers = ["0", "-1", "1", "int.MaxValue", "2147483647", "1073741824", "65536", "511", "513", "-2147483648"];

    /// <summary>Applies one to three random mutations to <paramref name="source"/>.</summary>
    public static string Mutate(string source, int seed)
    {
        var random = new Random(seed);
        int count = random.Next(1, 4);
        for (int i = 0; i < count; i++)
        {
            source = MutateOnce(source, random);
        }

        return source;
    }

    private static string MutateOnce(string source, Random random)
    {
        var tokens = SyntaxFactory.ParseTokens(source).Select(t => t.ToFullString()).ToList();
        if (tokens.Count <= 1)
        {
            return source + Junk[random.Next(Junk.Length)];
        }

        var kinds = SyntaxFactory.ParseTokens(source).Select(t => t.Kind()).ToList();
        int at = random.Next(tokens.Count - 1); // the last token is the end of file
        switch (random.Next(9))
        {
            case 0: // delete a token
                tokens.RemoveAt(at);
                break;
            case 1: // delete a run of tokens
                tokens.RemoveRange(at, Math.Min(random.Next(2, 8), tokens.Count - 1 - at));
                break;
            case 2: // duplicate a token
                tokens.Insert(at, tokens[at]);
                break;
            case 3: // swap with the next token
                if (at + 1 < tokens.Count - 1)
                {
                    (tokens[at], tokens[at + 1]) = (tokens[at + 1], tokens[at]);
                }

                break;
            case 4: // cut the file short
                tokens.RemoveRange(at, tokens.Count - 1 - at);
                break;
            case 5: // rename: an identifier becomes another identifier of the file, or an unknown one
                var identifiers = Enumerable.Range(0, tokens.Count).Where(i => kinds[i] == SyntaxKind.IdentifierToken).ToList();
                if (identifiers.Count > 0)
                {
                    int target = identifiers[random.Next(identifiers.Count)];
                    string replacement = random.Next(3) == 0 ? "Missing" : tokens[identifiers[random.Next(identifiers.Count)]].Trim();
                    tokens[target] = " " + replacement + " ";
                }

                break;
            case 6: // move an attribute list somewhere else
                return MoveAttribute(source, random);
            case 7: // make a number extreme
                var numbers = Enumerable.Range(0, tokens.Count).Where(i => kinds[i] == SyntaxKind.NumericLiteralToken).ToList();
                int where = numbers.Count > 0 ? numbers[random.Next(numbers.Count)] : at;
                tokens[where] = " " + ExtremeNumbers[random.Next(ExtremeNumbers.Length)] + " ";
                break;
            default: // insert junk
                tokens.Insert(at, " " + Junk[random.Next(Junk.Length)] + " ");
                break;
        }

        return string.Concat(tokens);
    }

    private static string MoveAttribute(string source, Random random)
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(source).GetRoot();
        var lists = root.DescendantNodes().Where(n => n.IsKind(SyntaxKind.AttributeList)).ToList();
        if (lists.Count == 0)
        {
            return "[Pooled] " + source;
        }

        SyntaxNode list = lists[random.Next(lists.Count)];
        string text = list.ToString();
        string without = source.Remove(list.SpanStart, list.Span.Length);
        var tokenStarts = SyntaxFactory.ParseTokens(without).Select(t => t.SpanStart).ToList();
        int insertAt = tokenStarts[random.Next(tokenStarts.Count)];
        return new StringBuilder(without).Insert(insertAt, " " + text + " ").ToString();
    }
}
