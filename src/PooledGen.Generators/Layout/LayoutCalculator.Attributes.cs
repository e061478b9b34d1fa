using System;
using Microsoft.CodeAnalysis;

namespace PooledGen.Generators.Layout;

/// <summary>What a struct's attributes say about its layout: [StructLayout], [FieldOffset], [InlineArray].</summary>
internal static partial class LayoutCalculator
{
    private static bool IsFromSource(INamedTypeSymbol type)
    {
        foreach (var location in type.OriginalDefinition.Locations)
        {
            if (location.IsInSource)
            {
                return true;
            }
        }

        return false;
    }

    private static (int Kind, int Pack, int Size, int InlineArrayLength) ReadLayoutAttributes(INamedTypeSymbol type)
    {
        var kind = LayoutKindSequential;
        var pack = 0;
        var size = 0;
        var inlineArrayLength = 0;
        foreach (var attribute in type.OriginalDefinition.GetAttributes())
        {
            var attributeClass = attribute.AttributeClass;
            if (attributeClass is null)
            {
                continue;
            }

            if (attributeClass.Name is not ("StructLayoutAttribute" or "InlineArrayAttribute"))
            {
                continue;
            }

            var name = MetadataName(attributeClass);
            if (name == "System.Runtime.InteropServices.StructLayoutAttribute")
            {
                if (attribute.ConstructorArguments.Length == 1 && ToInt(attribute.ConstructorArguments[0]) is { } k)
                {
                    kind = k;
                }

                foreach (var named in attribute.NamedArguments)
                {
                    if (named.Key == "Pack" && ToInt(named.Value) is { } p)
                    {
                        pack = p;
                    }
                    else if (named.Key == "Size" && ToInt(named.Value) is { } s)
                    {
                        size = s;
                    }
                }
            }
            else if (name == "System.Runtime.CompilerServices.InlineArrayAttribute"
                && attribute.ConstructorArguments.Length == 1 && ToInt(attribute.ConstructorArguments[0]) is { } length)
            {
                inlineArrayLength = length;
            }
        }

        // Invalid values are compile errors (CS0599); keep the arithmetic sane meanwhile.
        return (kind, pack is 0 or 1 or 2 or 4 or 8 or 16 or 32 or 64 or 128 ? pack : 0, Math.Max(size, 0), Math.Max(inlineArrayLength, 0));
    }

    private static int? ReadFieldOffset(IFieldSymbol field)
    {
        foreach (var attribute in field.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "FieldOffsetAttribute" } attributeClass
                && MetadataName(attributeClass) == "System.Runtime.InteropServices.FieldOffsetAttribute"
                && attribute.ConstructorArguments.Length == 1)
            {
                return ToInt(attribute.ConstructorArguments[0]);
            }
        }

        return null;
    }

    private static int? ToInt(TypedConstant constant)
    {
        if (constant.Kind is TypedConstantKind.Error or TypedConstantKind.Array)
        {
            return null;
        }

        return constant.Value switch
        {
            int i => i,
            short s => s,
            ushort us => us,
            byte b => b,
            sbyte sb => sb,
            uint ui when ui <= int.MaxValue => (int)ui,
            long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
            _ => null,
        };
    }
}
