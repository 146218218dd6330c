using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using Mpi = MPI.Unsafe;

namespace MimScale.Training.Distributed;

/// <summary>
/// Collectives over MPI_COMM_WORLD through MPI.NET's raw binding (<see cref="MPI.Unsafe"/>) on Debian's MPICH
/// (<see cref="MpiLibrary"/>). Tensors are reduced in place (MPI_IN_PLACE) straight in their own memory: the optimiser
/// keeps each parameter group's gradients in one flat buffer, so a step is a few large Allreduce calls with no
/// packing. Tensors off the CPU go through a host copy. Every call is timed by a <see cref="CollectiveWatchdog"/>
/// that aborts the whole job when a collective waits too long (a rank died or hangs).
/// </summary>
public sealed class MpiCollectives : ICollectives
{
    // MPICH's (and MS-MPI's) MPI_IN_PLACE is (void*)-1; MPI.NET 1.4.0 does not export it.
    private static readonly IntPtr InPlace = new(-1);
    // One MPI call takes an int count: larger buffers (beyond 2^31 elements) go in chunks.
    private const long MaxChunk = 1L << 30;
    // Tag of Send/Receive messages (collectives never match point-to-point messages, whatever their tag).
    private const int MessageTag = 17;
    private readonly CollectiveWatchdog watchdog;
    private bool finalized;
    private readonly Stopwatch sumClock = new();
    private long sumBytes;

    /// <param name="timeout">Longest wait inside one collective before the job is aborted.</param>
    public MpiCollectives(TimeSpan timeout)
    {
        MpiLibrary.EnsureResolver();
        Check(Mpi.MPI_Initialized(out int initialized), "MPI_Initialized");
        if (initialized == 0)
        {
            unsafe
            {
                int argc = 0;
                byte** argv = null;
                // MULTIPLE: the watchdog thread may call MPI_Abort while the main thread waits in a collective.
                Check(Mpi.MPI_Init_thread(ref argc, ref argv, Mpi.MPI_THREAD_MULTIPLE, out _), "MPI_Init_thread");
            }
        }
        Check(Mpi.MPI_Comm_rank(Mpi.MPI_COMM_WORLD, out int rank), "MPI_Comm_rank");
        Check(Mpi.MPI_Comm_size(Mpi.MPI_COMM_WORLD, out int size), "MPI_Comm_size");
        Rank = rank;
        WorldSize = size;
        watchdog = new CollectiveWatchdog(timeout, Abort);
    }

    public int Rank { get; }
    public int WorldSize { get; }

    public (TimeSpan Time, long Bytes) TensorSumTotals => (sumClock.Elapsed, sumBytes);

    public void SumInPlace(IReadOnlyList<Tensor> tensors)
    {
        sumClock.Start();
        try { SumTensors(tensors); }
        finally { sumClock.Stop(); }
    }

    void SumTensors(IReadOnlyList<Tensor> tensors)
    {
        using var scope = NewDisposeScope();
        using var _ = torch.no_grad();
        foreach (var t in tensors)
        {
            if (t.dtype != ScalarType.Float32) throw new ArgumentException($"MPI sum: tensor of {t.dtype}, only float32 is supported");
            if (t.numel() == 0) continue;
            sumBytes += t.numel() * sizeof(float);
            if (t.device_type == DeviceType.CPU && t.is_contiguous()) { AllreduceFloats(t); continue; }
            var host = t.cpu().contiguous().clone();   // device or strided tensors: reduce a host copy, then write back
            AllreduceFloats(host);
            t.copy_(host);
        }
    }

    public void SumInPlace(double[] values)
    {
        if (values.Length == 0) return;
        var handle = GCHandle.Alloc(values, GCHandleType.Pinned);
        try
        {
            using var w = watchdog.Enter($"MPI_Allreduce of {values.Length} doubles");
            Check(Mpi.MPI_Allreduce(InPlace, handle.AddrOfPinnedObject(), values.Length, Mpi.MPI_DOUBLE, Mpi.MPI_SUM, Mpi.MPI_COMM_WORLD), "MPI_Allreduce");
        }
        finally { handle.Free(); }
    }

    public void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0)
    {
        using var scope = NewDisposeScope();
        using var _ = torch.no_grad();
        foreach (var t in tensors)
        {
            if (t.numel() == 0) continue;
            bool direct = t.device_type == DeviceType.CPU && t.is_contiguous();
            var host = direct ? t : t.cpu().contiguous().clone();
            long bytes = host.numel() * host.ElementSize;
            IntPtr ptr = DataPointer(host);
            for (long off = 0; off < bytes; off += MaxChunk)
            {
                int n = (int)Math.Min(MaxChunk, bytes - off);
                using var w = watchdog.Enter($"MPI_Bcast of {bytes} bytes");
                Check(Mpi.MPI_Bcast(ptr + (nint)off, n, Mpi.MPI_BYTE, root, Mpi.MPI_COMM_WORLD), "MPI_Bcast");
            }
            if (!direct) t.copy_(host);
        }
    }

    public void Barrier()
    {
        using var w = watchdog.Enter("MPI_Barrier");
        Check(Mpi.MPI_Barrier(Mpi.MPI_COMM_WORLD), "MPI_Barrier");
    }

    public void Send(long[] message, int to)
    {
        var handle = GCHandle.Alloc(message, GCHandleType.Pinned);
        try
        {
            // A few bytes go out eagerly (MPICH buffers small messages), so this returns without waiting for the receiver.
            using var w = watchdog.Enter($"MPI_Send of {message.Length} numbers to rank {to}");
            Check(Mpi.MPI_Send(handle.AddrOfPinnedObject(), message.Length * sizeof(long), Mpi.MPI_BYTE, to, MessageTag, Mpi.MPI_COMM_WORLD), "MPI_Send");
        }
        finally { handle.Free(); }
    }

    public long[] Receive(int from, int length, CancellationToken ct)
    {
        // MPICH's blocking calls spin at 100% of a core while they wait; a rank idle while rank 0 evaluates would take
        // that core from it. Polling every 50 ms costs nothing and delays an order by at most that.
        while (true)
        {
            Check(Mpi.MPI_Iprobe(from, MessageTag, Mpi.MPI_COMM_WORLD, out int arrived, out _), "MPI_Iprobe");
            if (arrived != 0) break;
            if (ct.WaitHandle.WaitOne(50)) ct.ThrowIfCancellationRequested();
        }
        var message = new long[length];
        var handle = GCHandle.Alloc(message, GCHandleType.Pinned);
        try
        {
            using var w = watchdog.Enter($"MPI_Recv of {length} numbers from rank {from}");
            Check(Mpi.MPI_Recv(handle.AddrOfPinnedObject(), length * sizeof(long), Mpi.MPI_BYTE, from, MessageTag, Mpi.MPI_COMM_WORLD, out _), "MPI_Recv");
        }
        finally { handle.Free(); }
        return message;
    }

    void AllreduceFloats(Tensor t)
    {
        IntPtr ptr = DataPointer(t);
        long count = t.numel();
        for (long off = 0; off < count; off += MaxChunk)
        {
            int n = (int)Math.Min(MaxChunk, count - off);
            using var w = watchdog.Enter($"MPI_Allreduce of {count} floats");
            Check(Mpi.MPI_Allreduce(InPlace, ptr + (nint)(off * sizeof(float)), n, Mpi.MPI_FLOAT, Mpi.MPI_SUM, Mpi.MPI_COMM_WORLD), "MPI_Allreduce");
        }
    }

    /// <summary>Address of a contiguous CPU tensor's first element: its storage's base plus its offset in it.</summary>
    static IntPtr DataPointer(Tensor t) => StorageBase(t) + (nint)(t.storage_offset() * t.ElementSize);

    static IntPtr StorageBase(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => t.storage<float>().data_ptr(),
        ScalarType.Float64 => t.storage<double>().data_ptr(),
        ScalarType.Int64 => t.storage<long>().data_ptr(),
        ScalarType.Int32 => t.storage<int>().data_ptr(),
        ScalarType.Byte => t.storage<byte>().data_ptr(),
        _ => throw new ArgumentException($"MPI: no raw access to tensors of {t.dtype}"),
    };

    void Abort(string what)
    {
        Console.Error.WriteLine($"error: MPI rank {Rank} of {WorldSize}: {what}; a rank died or hangs. Aborting the job; " +
                                "rerun the same command to resume from the last checkpoint.");
        Console.Error.Flush();
        Mpi.MPI_Abort(Mpi.MPI_COMM_WORLD, 3);
    }

    static void Check(int rc, string call)
    {
        if (rc != 0) throw new InvalidOperationException($"{call} failed with MPI error {rc}");
    }

    public void Dispose()
    {
        if (finalized) return;
        finalized = true;
        watchdog.Dispose();
        Mpi.MPI_Finalize();
    }
}
