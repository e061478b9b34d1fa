using System;
using System.CodeDom.Compiler;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;

namespace PooledGen;

/// <summary>
/// Reads a debug allocation's stack for the leak report and the debug exceptions: which frame is the user's code
/// that asked for the block, and how to name a frame.
/// </summary>
/// <remarks>
/// PooledGen's own frames (this assembly) and generated frames are skipped. The generated <c>Alloc</c> of a
/// <c>[Pooled]</c> struct is the same frame for every allocation of that struct, so naming it would merge the leaks of
/// every user method into one entry that points into obj/. A frame is generated when its method or a type around it
/// carries <see cref="GeneratedCodeAttribute"/> (PooledGen marks every member it generates) or when its file is a
/// <c>.g.cs</c>. Compiler-generated frames (lambdas, iterators, async state machines) are the user's own code and stay.
/// <para>
/// Names come from <c>DiagnosticMethodInfo</c> on .NET 10, which NativeAOT keeps when it drops reflection metadata
/// (<see cref="StackFrame.GetMethod"/> returns null there), and from <see cref="StackFrame.GetMethod"/> on .NET 8.
/// Debug mode only: all of this allocates.
/// </para>
/// </remarks>
internal static class AllocationFrames
{
    /// <summary>What a frame reads as when nothing is known about its method.</summary>
    public const string Unknown = "(unknown)";

    private const string GeneratedFileSuffix = ".g.cs";

    private static readonly string s_runtimeAssembly = typeof(AllocationFrames).Assembly.GetName().Name!;

    /// <summary>
    /// The index in <paramref name="frames"/> of the first frame of the user's code: neither PooledGen's nor generated.
    /// Failing that, the first frame outside PooledGen (code that only generated code calls is still better named than
    /// nothing); failing that, <c>frames.Length</c>.
    /// </summary>
    public static int FirstUserFrameIndex(StackFrame[] frames)
    {
        int firstOutsideRuntime = frames.Length;
        for (int i = 0; i < frames.Length; i++)
        {
            FrameMethod method = FrameMethod.Of(frames[i]);
            if (method.AssemblyName == s_runtimeAssembly)
            {
                continue;
            }

            if (firstOutsideRuntime == frames.Length)
            {
                firstOutsideRuntime = i;
            }

            if (!IsGenerated(frames[i], method))
            {
                return i;
            }
        }

        return firstOutsideRuntime;
    }

    /// <summary><c>Namespace.Type.Method in file:line N</c>, without the file where symbols are missing; <see cref="Unknown"/> without a method.</summary>
    public static string Describe(StackFrame? frame)
    {
        if (frame is null || FrameMethod.Of(frame) is not { Name: { } methodName } method)
        {
            return Unknown;
        }

        string name = method.TypeName is { } typeName ? typeName + "." + methodName : methodName;
        string? file = frame.GetFileName();
        return file is null
            ? name
            : string.Create(CultureInfo.InvariantCulture, $"{name} in {file}:line {frame.GetFileLineNumber()}");
    }

    private static bool IsGenerated(StackFrame frame, FrameMethod method)
    {
        if (frame.GetFileName() is { } file && file.EndsWith(GeneratedFileSuffix, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (method.Reflected is not { } reflected)
        {
            return false;
        }

        if (reflected.IsDefined(typeof(GeneratedCodeAttribute), inherit: false))
        {
            return true;
        }

        for (Type? type = reflected.DeclaringType; type is not null; type = type.DeclaringType)
        {
            if (type.IsDefined(typeof(GeneratedCodeAttribute), inherit: false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What is known about a frame's method: its name, its type's full name, its assembly's simple name, and the method itself where reflection still has it.</summary>
    private readonly record struct FrameMethod(string? Name, string? TypeName, string? AssemblyName, MethodBase? Reflected)
    {
        public static FrameMethod Of(StackFrame frame)
        {
            MethodBase? reflected = ReflectedMethod(frame);
#if NET10_0_OR_GREATER
            if (DiagnosticMethodInfo.Create(frame) is { } info)
            {
                return new FrameMethod(info.Name, info.DeclaringTypeName, SimpleName(info.DeclaringAssemblyName), reflected);
            }
#endif
            Type? type = reflected?.DeclaringType;
            return new FrameMethod(reflected?.Name, type?.FullName, type?.Assembly.GetName().Name, reflected);
        }

        // "PooledGen.Runtime, Version=0.1.0.0, Culture=neutral, PublicKeyToken=null" -> "PooledGen.Runtime".
        private static string? SimpleName(string? assemblyDisplayName)
        {
            if (assemblyDisplayName is null)
            {
                return null;
            }

            int comma = assemblyDisplayName.IndexOf(',', StringComparison.Ordinal);
            return comma < 0 ? assemblyDisplayName : assemblyDisplayName[..comma];
        }

        [UnconditionalSuppressMessage("Trimming", "IL2026:RequiresUnreferencedCode",
            Justification = "Debug-mode diagnostics only: where trimming or NativeAOT removed a method's metadata, GetMethod returns null; the names then come from DiagnosticMethodInfo (.NET 10) or the frame reads as (unknown).")]
        private static MethodBase? ReflectedMethod(StackFrame frame) => frame.GetMethod();
    }
}
