using System;

namespace PooledGen;

/// <summary>
/// Marks a parameter that takes over a <see cref="Pooled{T}"/> handle: the method (or what it hands the handle to)
/// frees it, so the caller must not. PooledGen's ownership analysis (PG0012) then treats passing a handle to this
/// parameter as handing it on, not as leaking it.
/// </summary>
/// <example>
/// <code>
/// void Enqueue([TakesOwnership] Pooled&lt;Particle&gt; p) =&gt; _live.Add(p);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class TakesOwnershipAttribute : Attribute
{
}
