namespace PooledGen.Generators;

/// <summary>
/// Names of the generator's pipeline steps, for <c>WithTrackingName</c> and for the tests that prove each step is
/// cached across unrelated edits.
/// </summary>
internal static class TrackingNames
{
    /// <summary>Every <c>[Pooled]</c> struct declaration turned into a model, or null when it cannot be pooled.</summary>
    public const string PooledStructs = nameof(PooledStructs);

    /// <summary>The models of the structs the generator serves (the nulls removed).</summary>
    public const string PoolableStructs = nameof(PoolableStructs);
}
