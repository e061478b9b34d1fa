namespace PooledGen.Generators.Diagnostics;

/// <summary>Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> the analyzer sets for the code fixes.</summary>
internal static class DiagnosticProperties
{
    /// <summary>
    /// PG0005: the instance fields, as named in source (an auto-property by its property name), in the order that
    /// drops the struct into a smaller size class, separated by <see cref="FieldOrderSeparator"/>.
    /// </summary>
    public const string FieldOrder = "FieldOrder";

    /// <summary>Separates names in <see cref="FieldOrder"/>; it cannot occur in an identifier.</summary>
    public const char FieldOrderSeparator = ',';
}
