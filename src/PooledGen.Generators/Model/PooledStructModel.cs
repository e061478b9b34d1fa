namespace PooledGen.Generators.Model;

/// <summary>
/// Everything the emitter needs to write the pooled members of one struct: strings, numbers and an equatable array,
/// never a symbol or syntax node, so the incremental cache can compare runs by value.
/// </summary>
/// <param name="Namespace">The containing namespace (<c>A.B</c>), or null for the global namespace.</param>
/// <param name="ContainingTypes">The types the struct is nested in, outermost first.</param>
/// <param name="Declaration">The struct's partial declaration head without its name, e.g. <c>readonly partial record struct</c>.</param>
/// <param name="Name">The struct's name as an identifier (keywords escaped with <c>@</c>).</param>
/// <param name="FullyQualifiedName">The struct's <c>global::</c>-qualified name, used in generated code.</param>
/// <param name="DisplayName">The struct's name for people (<c>A.B.Outer.Inner</c>), used in the runtime check's message.</param>
/// <param name="HintName">The generated file's name, <c>A.B.Outer.Inner.g.cs</c>.</param>
/// <param name="Size">The compile-time size in bytes, or -1 where it cannot be known.</param>
internal readonly record struct PooledStructModel(
    string? Namespace,
    EquatableArray<ContainingTypeModel> ContainingTypes,
    string Declaration,
    string Name,
    string FullyQualifiedName,
    string DisplayName,
    string HintName,
    int Size);

/// <summary>A type that contains a pooled struct, re-declared partial around the generated members.</summary>
/// <param name="Declaration">The declaration head without the name, e.g. <c>static partial class</c> or <c>partial record struct</c>.</param>
/// <param name="Name">The type's name as an identifier.</param>
internal readonly record struct ContainingTypeModel(string Declaration, string Name);
