using System.Collections.Generic;

namespace PooledGen.Generators.Layout;

/// <summary>
/// Sizes and alignments of BCL structs whose reference assemblies hide their real fields (they show a
/// <c>_dummyPrimitive</c> or nothing at all), as the x64 CLR lays them out since .NET 8. Every entry is checked
/// against <c>Unsafe.SizeOf</c> by the layout corpus in PooledGen.Generated.Tests.
/// </summary>
/// <remarks>
/// Deliberately absent, because their size depends on the machine or the operating system:
/// <c>System.Numerics.Vector&lt;T&gt;</c> (16, 32 or 64 bytes with the vector hardware) and
/// <c>System.Runtime.InteropServices.CLong</c>/<c>CULong</c> (4 bytes on Windows, 8 elsewhere).
/// They stay unknown (PG0006) and allocation uses the runtime size.
/// </remarks>
internal static class KnownValueTypes
{
    // Keyed by metadata name of the type definition (generic arity included).
    private static readonly Dictionary<string, (int Size, int Alignment)> s_table = new()
    {
        ["System.DateTime"] = (8, 8),
        ["System.TimeSpan"] = (8, 8),
        ["System.DateTimeOffset"] = (16, 8),
        ["System.DateOnly"] = (4, 4),
        ["System.TimeOnly"] = (8, 8),
        ["System.Guid"] = (16, 4),
        ["System.Decimal"] = (16, 8),
        ["System.Half"] = (2, 2),
        // Since .NET 8 the CLR gives Int128 16-byte alignment on x64 (matching the native ABI), not the 8 its two ulongs suggest.
        ["System.Int128"] = (16, 16),
        ["System.UInt128"] = (16, 16),
        ["System.Index"] = (4, 4),
        ["System.Range"] = (8, 4),
        ["System.Text.Rune"] = (4, 4),
        ["System.Numerics.Complex"] = (16, 8),
        ["System.Numerics.Vector2"] = (8, 4),
        ["System.Numerics.Vector3"] = (12, 4),
        ["System.Numerics.Vector4"] = (16, 4),
        ["System.Numerics.Quaternion"] = (16, 4),
        ["System.Numerics.Plane"] = (16, 4),
        ["System.Numerics.Matrix3x2"] = (24, 4),
        ["System.Numerics.Matrix4x4"] = (64, 4),
        // The hardware vector types are aligned to their own size by the CLR (checked at run time in the corpus).
        ["System.Runtime.Intrinsics.Vector64`1"] = (8, 8),
        ["System.Runtime.Intrinsics.Vector128`1"] = (16, 16),
        ["System.Runtime.Intrinsics.Vector256`1"] = (32, 32),
        ["System.Runtime.Intrinsics.Vector512`1"] = (64, 64),
        ["System.Runtime.InteropServices.NFloat"] = (8, 8),
        ["System.Runtime.InteropServices.GCHandle"] = (8, 8),
        ["System.HashCode"] = (32, 4),
        ["System.ConsoleKeyInfo"] = (12, 4),
        ["System.Threading.SpinLock"] = (4, 4),
        ["System.Buffers.StandardFormat"] = (2, 1),
        ["System.Drawing.Point"] = (8, 4),
        ["System.Drawing.PointF"] = (8, 4),
        ["System.Drawing.Size"] = (8, 4),
        ["System.Drawing.SizeF"] = (8, 4),
        ["System.Drawing.Rectangle"] = (16, 4),
        ["System.Drawing.RectangleF"] = (16, 4),
        // Our own handle: compilations see PooledGen.Runtime's public surface only, not its private fields
        // (one T*, 8 bytes in every mode), so a [Pooled] struct that holds a handle to another would otherwise be unknown.
        ["PooledGen.Pooled`1"] = (8, 8),
    };

    /// <summary>Every entry, by metadata name of the type definition (for the tests that check each against the CLR).</summary>
    public static IEnumerable<KeyValuePair<string, (int Size, int Alignment)>> All => s_table;

    /// <summary>Looks up a BCL struct by the metadata name of its definition, e.g. <c>System.Runtime.Intrinsics.Vector128`1</c>.</summary>
    public static bool TryGet(string metadataName, out int size, out int alignment)
    {
        if (s_table.TryGetValue(metadataName, out var entry))
        {
            size = entry.Size;
            alignment = entry.Alignment;
            return true;
        }

        size = -1;
        alignment = 0;
        return false;
    }
}
