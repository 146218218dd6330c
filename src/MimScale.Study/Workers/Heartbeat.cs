using MimScale.Study.Store;

namespace MimScale.Study.Workers;

/// <summary>
/// Keeps a worker's claim on a trunk alive: a timer thread that refreshes the claim's heartbeat every
/// <c>interval</c> on a connection of its own (it never touches torch or the runner's connection). When the update
/// finds the claim gone (another worker took the trunk over after a long stall), it calls <c>onLost</c> once and stops.
/// A failed update (database unreachable) is logged and retried at the next beat.
/// </summary>
internal sealed class Heartbeat : IDisposable
{
    private readonly StudyStore store;
    private readonly string trunk, worker;
    private readonly TimeSpan interval;
    private readonly Action onLost;
    private readonly Action<string> log;
    private readonly Timer timer;
    private readonly Lock gate = new();
    private bool stopped;

    /// <param name="store">A connection owned by the heartbeat (disposed with it).</param>
    /// <param name="trunk">The claimed trunk's key.</param>
    /// <param name="worker">This worker's id (the claim's owner).</param>
    /// <param name="interval">Time between beats.</param>
    /// <param name="onLost">Called once when a beat finds the claim taken by another worker.</param>
    /// <param name="log">Progress lines.</param>
    public Heartbeat(StudyStore store, string trunk, string worker, TimeSpan interval, Action onLost, Action<string> log)
    {
        (this.store, this.trunk, this.worker, this.interval, this.onLost, this.log) = (store, trunk, worker, interval, onLost, log);
        // One-shot timer re-armed after each beat, so a slow database never stacks beats up.
        timer = new Timer(_ => Beat(), null, interval, Timeout.InfiniteTimeSpan);
    }

    private void Beat()
    {
        lock (gate)
        {
            if (stopped) return;
            try
            {
                if (!store.Claims.Heartbeat(trunk, worker))
                {
                    stopped = true;
                    log($"[lost] worker {worker} no longer holds trunk {trunk} (another worker took it over); stopping it here");
                    onLost();
                    return;
                }
            }
            catch (Exception e)
            {
                log($"[heartbeat] trunk {trunk}: {e.Message}; retrying in {interval.TotalSeconds:0.#} s");
            }
            timer.Change(interval, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (gate) stopped = true;   // waits for a beat in progress
        timer.Dispose();
        store.Dispose();
    }
}
