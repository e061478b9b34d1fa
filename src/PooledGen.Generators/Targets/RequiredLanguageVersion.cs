using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PooledGen.Generators.Targets;

/// <summary>
/// The C# version the generated code needs: it implements <c>IPooled&lt;T&gt;</c>, whose <c>Alloc</c>, <c>Free</c> and
/// sizes are static abstract interface members, a C# 11 feature. Below it the generated files would not compile
/// (CS8706 in obj/), so the generator generates nothing and the analyzer reports PG0007 instead. One function
/// decides, both call it.
/// </summary>
internal static class RequiredLanguageVersion
{
    /// <summary>The oldest C# version the generated code compiles under.</summary>
    public const LanguageVersion Minimum = LanguageVersion.CSharp11;

    /// <summary><see cref="Minimum"/> as a project file spells it (<c>&lt;LangVersion&gt;11&lt;/LangVersion&gt;</c>).</summary>
    public const string MinimumDisplay = "11";

    /// <summary>
    /// True when <paramref name="version"/> (the effective version: <c>latest</c> and <c>default</c> already mapped to
    /// a number, <c>preview</c> above every number) can compile the generated code.
    /// </summary>
    public static bool IsMetBy(LanguageVersion version) => version >= Minimum;

    /// <summary>True when the project's parse options can compile the generated code; false for non-C# options.</summary>
    public static bool IsMetBy(ParseOptions options) => options is CSharpParseOptions csharp && IsMetBy(csharp.LanguageVersion);
}
