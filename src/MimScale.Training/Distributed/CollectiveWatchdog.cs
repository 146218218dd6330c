using System.Diagnostics;
using System.Globalization;

namespace MimScale.Training.Distributed;

/// <summary>
/// Bounds the time a rank waits inside one collective. MPICH's Hydra tears the job down when a rank is killed, but a
/// rank that hangs (a stuck file system, a machine that stopped answering) leaves the others blocked in
/// MPI_Allreduce for ever. A background thread checks once a second; when one collective has waited longer than the
/// limit it reports which one and calls <c>onExpired</c> (MPI_Abort), so the job ends with a clear message and a
/// rerun resumes from the last checkpoint.
/// </summary>
public sealed class CollectiveWatchdog : IDisposable
{
    private readonly TimeSpan limit;
    private readonly Action<string> onExpired;
    private readonly Thread thread;
    private readonly CancellationTokenSource stop = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long enteredTicks = -1;   // clock ticks when the current collective started; -1 outside one
    private string current = "";

    /// <param name="limit">Longest wait inside one collective.</param>
    /// <param name="onExpired">Called once, on the watchdog thread, with a description of the stuck collective.</param>
    public CollectiveWatchdog(TimeSpan limit, Action<string> onExpired)
    {
        this.limit = limit;
        this.onExpired = onExpired;
        thread = new Thread(Watch) { IsBackground = true, Name = "mpi-watchdog" };
        thread.Start();
    }

    /// <summary>Marks the start of a collective; dispose the result when it returns.</summary>
    public Scope Enter(string what)
    {
        Volatile.Write(ref current, what);
        Interlocked.Exchange(ref enteredTicks, clock.ElapsedTicks);
        return new Scope(this);
    }

    /// <summary>The span of one collective.</summary>
    public readonly struct Scope(CollectiveWatchdog owner) : IDisposable
    {
        public void Dispose() => Interlocked.Exchange(ref owner.enteredTicks, -1);
    }

    private void Watch()
    {
        while (!stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(Math.Min(1, limit.TotalSeconds / 4))))
        {
            long since = Interlocked.Read(ref enteredTicks);
            if (since < 0) continue;
            var waited = TimeSpan.FromSeconds((clock.ElapsedTicks - since) / (double)Stopwatch.Frequency);
            if (waited <= limit) continue;
            onExpired($"{Volatile.Read(ref current)} waited {waited.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s (limit {limit.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s) for the other ranks");
            return;
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        thread.Join();
        stop.Dispose();
    }
}
