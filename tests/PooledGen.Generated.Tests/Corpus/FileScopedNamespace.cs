// A [Pooled] struct in a file-scoped namespace, in a file of its own (a file-scoped namespace covers its whole file).
#pragma warning disable CS0649 // the fields exist for their layout
using PooledGen;

namespace PooledGen.Generated.Tests.FileScoped;

[Pooled]
internal partial struct InFileScopedNamespace
{
    public int A;
    public short B;
}
