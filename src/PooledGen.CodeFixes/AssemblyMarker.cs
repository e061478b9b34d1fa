namespace PooledGen.CodeFixes;

/// <summary>Lets tests find this assembly.</summary>
internal static class AssemblyMarker
{
}
