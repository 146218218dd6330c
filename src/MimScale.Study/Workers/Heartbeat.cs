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
    private readonly StudyStore _store;
    private readonly string _trunk, _worker;
    private readonly TimeSpan _interval;
    private readonly Action _onLost;
    private readonly Action<string> _log;
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private bool _stopped;

    /// <param name="store">A connection owned by the heartbeat (disposed with it).</param>
    /// <param name="trunk">The claimed trunk's key.</param>
    /// <param name="worker">This worker's id (the claim's owner).</param>
    /// <param name="interval">Time between beats.</param>
    /// <param name="onLost">Called once when a beat finds the claim taken by another worker.</param>
    /// <param name="log">Progress lines.</param>
    public Heartbeat(StudyStore store, string trunk, string worker, TimeSpan interval, Action onLost, Action<string> log)
    {
        (_store, _trunk, _worker, _interval, _onLost, _log) = (store, trunk, worker, interval, onLost, log);
        // One-shot timer re-armed after each beat, so a slow database never stacks beats up.
        _timer = new Timer(_ => Beat(), null, interval, Timeout.InfiniteTimeSpan);
    }

    private void Beat()
    {
        lock (_gate)
        {
            if (_stopped) return;
            try
            {
                if (!_store.Claims.Heartbeat(_trunk, _worker))
                {
                    _stopped = true;
                    _log($"[lost] worker {_worker} no longer holds trunk {_trunk} (another worker took it over); stopping it here");
                    _onLost();
                    return;
                }
            }
            catch (Exception e)
            {
                _log($"[heartbeat] trunk {_trunk}: {e.Message}; retrying in {_interval.TotalSeconds:0.#} s");
            }
            _timer.Change(_interval, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate) _stopped = true;   // waits for a beat in progress
        _timer.Dispose();
        _store.Dispose();
    }
}
