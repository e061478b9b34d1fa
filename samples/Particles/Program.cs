using System;
using PooledGen;

// Placeholder main sample: replaced by the particle simulation of issue #6.
var p = PooledHeap.Alloc<long>();
p.Value = 42;
Console.WriteLine($"PooledGen sample: allocated {p}, value {p.Value}");
PooledHeap.Free(p);
