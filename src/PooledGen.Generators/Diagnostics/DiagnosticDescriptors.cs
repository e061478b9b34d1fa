using Microsoft.CodeAnalysis;

namespace PooledGen.Generators.Diagnostics;

/// <summary>
/// Every diagnostic PooledGen reports, in one place. Ids are stable; each has a page under docs/diagnostics.
/// Messages name the type and the numbers (sizes, size classes, field paths) so a user can act on them.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string HelpLinkBase = RepositoryAddress.Url + "/blob/main/docs/diagnostics/";

    /// <summary>Category of diagnostics about whether and how a [Pooled] struct can be pooled.</summary>
    public const string DesignCategory = "PooledGen.Design";

    /// <summary>Category of diagnostics about size classes and layout waste.</summary>
    public const string PerformanceCategory = "PooledGen.Performance";

    /// <summary>Category of the flow-analysis diagnostics about handle ownership (use after free, double free, leaks).</summary>
    public const string OwnershipCategory = "PooledGen.Ownership";

    /// <summary>PG0001: the struct is larger than the small-object threshold.</summary>
    public static readonly DiagnosticDescriptor TooLarge = Create(
        "PG0001",
        "Pooled struct is larger than the small-object threshold",
        "'{0}' is {1} bytes, over the small-object threshold of {2} bytes{3}",
        PerformanceCategory,
        DiagnosticSeverity.Warning,
        "Structs over 512 bytes are allocated one by one from the system allocator, not from a pool. A project can lower the threshold with PooledGenSmallObjectThreshold to be warned earlier. Make the struct smaller or move large parts behind a separate allocation.");

    /// <summary>PG0002: the struct holds a reference.</summary>
    public static readonly DiagnosticDescriptor NotUnmanaged = Create(
        "PG0002",
        "Pooled struct must be unmanaged",
        "'{0}' cannot be pooled: field '{1}' is of type '{2}', a reference the garbage collector must see; use only unmanaged fields",
        DesignCategory,
        DiagnosticSeverity.Error,
        "Pooled memory lives off the GC heap, so it may not hold object references, directly or through nested structs.");

    /// <summary>PG0003: the struct or a containing type is not partial.</summary>
    public static readonly DiagnosticDescriptor NotPartial = Create(
        "PG0003",
        "Pooled struct and its containing types must be partial",
        "'{0}' cannot receive its generated Alloc and Free members: {1} must be declared partial",
        DesignCategory,
        DiagnosticSeverity.Error,
        "The generator adds members to the struct in another file, which needs the struct and every type containing it to be partial.");

    /// <summary>PG0004: [Pooled] is on something that cannot be pooled.</summary>
    public static readonly DiagnosticDescriptor UnsupportedTarget = Create(
        "PG0004",
        "[Pooled] is on a type that cannot be pooled",
        "'{0}' cannot be pooled: {1}",
        DesignCategory,
        DiagnosticSeverity.Error,
        "Only non-generic structs that are not ref structs, are not nested in generic types, and do not declare a member PooledGen generates (Alloc(), Alloc(in T), Free(Pooled<T>), PooledSize, PooledBlockSize) can be pooled.");

    /// <summary>PG0005: the struct wastes part of its block; reordering may help.</summary>
    public static readonly DiagnosticDescriptor SizeClassWaste = Create(
        "PG0005",
        "Pooled struct wastes part of its block",
        "'{0}' is {1} bytes and is served by the {2}-byte size class, wasting {3} bytes per block{4}",
        PerformanceCategory,
        DiagnosticSeverity.Info,
        "Blocks come in 16-byte steps. Padding between fields can push a struct into a larger class; ordering fields from the largest alignment to the smallest removes it.");

    /// <summary>PG0006: the size cannot be known at compile time.</summary>
    public static readonly DiagnosticDescriptor SizeUnknown = Create(
        "PG0006",
        "Pooled struct size is not known at compile time",
        "The size of '{0}' cannot be computed at compile time because '{1}' is an external struct whose layout is not visible; PooledSize is -1 and allocation uses the runtime size",
        PerformanceCategory,
        DiagnosticSeverity.Info,
        "Reference assemblies hide the private fields of many external structs. PooledGen says so rather than guess; allocation is still correct.");

    /// <summary>PG0007: the project's C# version is older than the generated code needs.</summary>
    public static readonly DiagnosticDescriptor LanguageVersionTooOld = Create(
        "PG0007",
        "Pooled structs need C# 11 or later",
        "'{0}' cannot be pooled with C# {1}: the code PooledGen generates for it implements IPooled<T>'s static abstract members, which need C# {2} or later; set <LangVersion>{2}</LangVersion> or later (or latest) in the project file, or remove <LangVersion> to use the target framework's default",
        DesignCategory,
        DiagnosticSeverity.Error,
        "PooledGen generates nothing in a project whose C# version is older than 11, so Alloc, Free and the sizes do not exist there. net8.0 and later default to C# 12 or later; an explicit older LangVersion is what lowers it.");

    /// <summary>PG0010: a handle is used after it was freed.</summary>
    public static readonly DiagnosticDescriptor UseAfterFree = Create(
        "PG0010",
        "Pooled handle used after it was freed",
        "'{0}' is used here after it was freed",
        OwnershipCategory,
        DiagnosticSeverity.Warning,
        "After Free or Dispose the block may already hold another object. Use the handle before freeing it.");

    /// <summary>PG0011: a handle is freed twice.</summary>
    public static readonly DiagnosticDescriptor DoubleFree = Create(
        "PG0011",
        "Pooled handle freed twice",
        "'{0}' may be freed twice: it was already freed on some path to this point",
        OwnershipCategory,
        DiagnosticSeverity.Warning,
        "Freeing a block twice corrupts its pool's free list. Free exactly one copy of a handle, once.");

    /// <summary>PG0012: a handle allocated in a method is neither freed nor escapes.</summary>
    public static readonly DiagnosticDescriptor Leak = Create(
        "PG0012",
        "Pooled handle is never freed",
        "'{0}' is allocated here but is neither freed nor handed on along some path out of '{1}'",
        OwnershipCategory,
        DiagnosticSeverity.Warning,
        "A pooled block that is never freed stays in use for the life of the process. Free it, return it, store it, or pass it to a parameter marked [TakesOwnership].");

    /// <summary>PG0013: ownership of a handle cannot be checked.</summary>
    public static readonly DiagnosticDescriptor OwnershipUnknown = Create(
        "PG0013",
        "Pooled handle ownership cannot be checked",
        "Ownership of '{0}' cannot be checked: it {1}",
        OwnershipCategory,
        DiagnosticSeverity.Info,
        "A handle captured by a lambda or living across an await may be freed elsewhere; PooledGen does not guess.");

    /// <summary>PG0014: a copy of a handle is kept while a using will free the block.</summary>
    public static readonly DiagnosticDescriptor KeptWhileUsingFrees = Create(
        "PG0014",
        "Pooled handle kept while a using frees it",
        "'{0}' is {1} here, but a using frees it at the end of its scope: the kept copy will point to a freed block",
        OwnershipCategory,
        DiagnosticSeverity.Warning,
        "A using declaration or statement frees its handle when the scope ends. A copy stored in a field or collection, returned, or handed to a [TakesOwnership] parameter then names a block that may already hold another object. Drop the using and free the handle where its new owner is done with it.");

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLinkBase + id + ".md");
}
