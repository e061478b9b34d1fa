namespace PooledGen.Generators;

/// <summary>
/// Names of the generator's pipeline steps, for <c>WithTrackingName</c> and for the tests that prove each step is
/// cached across unrelated edits.
/// </summary>
internal static class TrackingNames
{
    /// <summary>Every <c>[Pooled]</c> struct declaration turned into a model, or null when it cannot be pooled.</summary>
    public const string PooledStructs = nameof(PooledStructs);

    /// <summary>Whether the project's C# version can compile the generated code (C# 11 or later).</summary>
    public const string LanguageVersionSupported = nameof(LanguageVersionSupported);

    /// <summary>The models of the structs the generator serves (the nulls removed; none below C# 11).</summary>
    public const string PoolableStructs = nameof(PoolableStructs);
}
