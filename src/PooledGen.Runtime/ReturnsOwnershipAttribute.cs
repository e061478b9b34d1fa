using System;

namespace PooledGen;

/// <summary>
/// Marks a method that returns a freshly allocated <see cref="Pooled{T}"/> handle its caller owns: the caller must free
/// it or hand it on. PooledGen's ownership analysis then treats each call as an allocation, as it does
/// <c>T.Alloc()</c>: a caller that never frees the result gets PG0012, one that frees it twice PG0011.
/// </summary>
/// <remarks>
/// Methods of the same project whose every return hands back a block they allocated and still hold (or the null
/// handle) are recognised without the attribute. Mark the ones the analysis cannot see through: abstract, virtual and
/// interface methods (an override or implementation inherits the mark), methods of another assembly, and methods whose
/// code does not show it, such as one that returns a recycled block or a fresh one, when the caller owns either.
/// </remarks>
/// <example>
/// <code>
/// interface IEmitter
/// {
///     [ReturnsOwnership]
///     Pooled&lt;Particle&gt; Emit(float x);
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class ReturnsOwnershipAttribute : Attribute
{
}
