using System.Runtime.CompilerServices;
using PooledGen.Generated.Tests.Corpus;

namespace PooledGen.Generated.Tests;

/// <summary>A linked-list node holding a handle to the next: with an 8-byte handle it is 16 bytes, the smallest class.</summary>
[Pooled]
public partial struct ListNode
{
    public Pooled<ListNode> Next;
    public long Value;
}

/// <summary>The generated LocalHeap members, <c>T.Alloc(heap)</c> and <c>T.Free(heap, item)</c>, used as a user would.</summary>
public class LocalHeapTests
{
    [Fact]
    public void A_handle_is_eight_bytes_and_a_node_holding_one_drops_to_the_16_byte_class()
    {
        Assert.Equal(8, Unsafe.SizeOf<Pooled<ListNode>>());
        Assert.Equal(8, Unsafe.SizeOf<Pooled<Bytes513>>());
        Assert.Equal((16, 16), (ListNode.PooledSize, ListNode.PooledBlockSize));
        Assert.Equal(ListNode.PooledSize, Unsafe.SizeOf<ListNode>());
    }

    [Fact]
    public void Generated_LocalHeap_members_allocate_zeroed_copy_and_free()
    {
        LocalHeap heap = PooledHeap.Local;
        Pooled<Bytes16> zeroed = Bytes16.Alloc(heap);
        Assert.Equal((0, 0), (zeroed.Value.A, zeroed.Value.B));
        Pooled<Bytes16> copy = Bytes16.Alloc(heap, new Bytes16 { A = 3, B = 4 });
        Assert.Equal((3, 4), (copy.Value.A, copy.Value.B));
        Bytes16.Free(heap, zeroed);
        Bytes16.Free(heap, copy);
        Bytes16.Free(heap, Pooled<Bytes16>.Null);
    }

    [Fact]
    public void A_list_built_through_a_LocalHeap_is_freed_through_the_implicit_path_and_the_reverse()
    {
        LocalHeap heap = PooledHeap.Local;
        Pooled<ListNode> head = Pooled<ListNode>.Null;
        for (int i = 0; i < 10_000; i++)
        {
            Pooled<ListNode> node = ListNode.Alloc(heap, new ListNode { Next = head, Value = i });
            head = node;
        }

        long sum = 0;
        while (!head.IsNull)
        {
            Pooled<ListNode> next = head.Value.Next;
            sum += head.Value.Value;
            ListNode.Free(head);
            head = next;
        }

        Assert.Equal(10_000L * 9_999 / 2, sum);

        var handles = new Pooled<ListNode>[1000];
        for (int i = 0; i < handles.Length; i++)
        {
            handles[i] = ListNode.Alloc();
        }

        foreach (Pooled<ListNode> h in handles)
        {
            ListNode.Free(heap, h);
        }
    }

    [Fact]
    public void Blocks_allocated_through_a_LocalHeap_can_be_freed_through_another_threads_LocalHeap()
    {
        var handles = new Pooled<Bytes513>[64];
        var small = new Pooled<Bytes16>[5000];
        var producer = new Thread(() =>
        {
            LocalHeap heap = PooledHeap.Local;
            for (int i = 0; i < small.Length; i++)
            {
                small[i] = Bytes16.Alloc(heap, new Bytes16 { A = i });
            }

            for (int i = 0; i < handles.Length; i++)
            {
                handles[i] = Bytes513.Alloc(heap);
            }
        });
        producer.Start();
        producer.Join();

        var consumer = new Thread(() =>
        {
            LocalHeap heap = PooledHeap.Local;
            for (int i = 0; i < small.Length; i++)
            {
                Assert.Equal(i, small[i].Value.A);
                Bytes16.Free(heap, small[i]);
            }

            foreach (Pooled<Bytes513> h in handles)
            {
                Bytes513.Free(heap, h);
            }

            PooledHeap.DetachCurrentThread();
        });
        consumer.Start();
        consumer.Join();
    }
}
