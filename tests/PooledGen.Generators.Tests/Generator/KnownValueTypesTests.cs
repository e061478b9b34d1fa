using System.Reflection;
using System.Runtime.CompilerServices;
using PooledGen.Generators.Layout;

namespace PooledGen.Generators.Tests.Generator;

/// <summary>Each entry of the BCL table, one by one, against the CLR this test runs on: size and alignment.</summary>
public class KnownValueTypesTests
{
    // Sequential: Value lands at its alignment after one byte. (The CLR keeps a sequential struct in order even
    // when the field's type is itself auto layout, such as DateTime.)
#pragma warning disable CS0649 // only the layout matters
    private struct Probe<T>
    {
        public byte Before;
        public T Value;
    }
#pragma warning restore CS0649

    public static TheoryData<string> Entries()
    {
        var data = new TheoryData<string>();
        foreach (var entry in KnownValueTypes.All)
        {
            data.Add(entry.Key);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void Table_entry_matches_the_CLR(string metadataName)
    {
        Assert.True(KnownValueTypes.TryGet(metadataName, out var size, out var alignment));
        var type = FindType(metadataName);
        if (type.IsGenericTypeDefinition)
        {
            // The hardware vectors: any element type gives the same layout.
            type = type.MakeGenericType(typeof(float));
        }

        var measure = typeof(KnownValueTypesTests).GetMethod(nameof(Measure), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        var (clrSize, clrAlignment) = ((int, int))measure.Invoke(null, null)!;

        Assert.Equal((size, alignment), (clrSize, clrAlignment));
    }

    private static (int Size, int Alignment) Measure<T>()
    {
        var probe = default(Probe<T>);
        var offset = (int)Unsafe.ByteOffset(ref probe.Before, ref Unsafe.As<T, byte>(ref probe.Value));
        return (Unsafe.SizeOf<T>(), offset);
    }

    private static Type FindType(string metadataName)
    {
        foreach (var assemblyName in new[] { "System.Private.CoreLib", "System.Runtime.Numerics", "System.Drawing.Primitives", "System.Console", "System.Memory", "System.Runtime.InteropServices" })
        {
            var type = Assembly.Load(assemblyName).GetType(metadataName);
            if (type is not null)
            {
                return type;
            }
        }

        throw new InvalidOperationException(metadataName + " not found");
    }
}
