using System.Data.Common;
using System.Globalization;
using MimScale.Study.Workers;

namespace MimScale.Study.Store;

/// <summary>A trunk's row in <c>trunk_claims</c> as `study status` shows it.</summary>
/// <param name="TrunkKey">The trunk.</param>
/// <param name="Worker">The worker holding it, or null when free.</param>
/// <param name="HeartbeatAgeSeconds">Seconds since the holder's last heartbeat (database clock), or null when free.</param>
/// <param name="Attempts">How many times it was claimed.</param>
/// <param name="LastWorker">The worker that claimed it last (also after release).</param>
/// <param name="Outcome">How the last holder let it go: "done", "failed", "stopped", or null while held / never released.</param>
/// <param name="StaleAfterSeconds">The holder's stale time: after this long without a heartbeat any worker may take the trunk over.</param>
public sealed record TrunkClaim(string TrunkKey, string? Worker, double? HeartbeatAgeSeconds, long Attempts, string? LastWorker, string? Outcome,
    double? StaleAfterSeconds)
{
    /// <summary>Held by a worker whose heartbeat is fresh.</summary>
    public bool Live => Worker is not null && HeartbeatAgeSeconds < StaleAfterSeconds;
}

/// <summary>A successful claim; <paramref name="PreviousWorker"/> is set when the trunk was taken over from a worker
/// whose heartbeat had stopped (<paramref name="StaleSeconds"/> ago).</summary>
public sealed record ClaimGrant(string TrunkKey, string Worker, string? PreviousWorker, double? StaleSeconds);

/// <summary>The worker lost its claim (another worker reclaimed the trunk): its results are not stored.</summary>
public sealed class ClaimLostException(string message) : OperationCanceledException(message);

/// <summary>
/// Trunk claims of workers sharing one study (<c>study run --worker</c>). A claim is a compare-and-set in a write
/// transaction (writers are serialised by both back ends, see <see cref="StoreBackend.BeginWrite"/>): a trunk is
/// claimable when free or when its holder's heartbeat is older than the stale time. All times are the database's clock.
/// </summary>
public sealed class TrunkClaims
{
    private readonly StudyStore store;

    internal TrunkClaims(StudyStore store) => this.store = store;

    /// <summary>The database clock, Unix seconds.</summary>
    public double Now() => Convert.ToDouble(store.ScalarValue($"SELECT {store.Backend.NowSeconds}", null), CultureInfo.InvariantCulture);

    /// <summary>Claims <paramref name="trunkKey"/> for <paramref name="worker"/> if it is free or its holder has not
    /// heartbeaten for <paramref name="staleSeconds"/>; null when another live worker holds it, or when another worker
    /// finished it at or after <paramref name="openAt"/> (database clock of the caller's look at what is left: its view is stale).</summary>
    public ClaimGrant? TryClaim(string trunkKey, string worker, double staleSeconds, double openAt = double.PositiveInfinity)
    {
        string now = store.Backend.NowSeconds;
        using var tx = store.BeginWrite();
        store.Execute("INSERT INTO trunk_claims(trunk_key,attempts) VALUES(@t,0) ON CONFLICT(trunk_key) DO NOTHING", tx, ("t", trunkKey));
        string? previous = null;
        double? age = null;
        using (var cmd = store.Command($"SELECT worker, {now} - heartbeat FROM trunk_claims WHERE trunk_key=@t", tx, ("t", trunkKey)))
        using (var r = cmd.ExecuteReader())
            if (r.Read() && !r.IsDBNull(0)) { previous = r.GetString(0); age = r.IsDBNull(1) ? null : r.GetDouble(1); }
        if (previous is not null && age is double a && a < staleSeconds) return null;   // tx rolls back on dispose
        if (store.ScalarValue("SELECT 1 FROM trunk_claims WHERE trunk_key=@t AND outcome='done' AND outcome_at >= @o", tx,
                ("t", trunkKey), ("o", openAt)) is not null)
            return null;
        store.Execute($"UPDATE trunk_claims SET worker=@w, last_worker=@w, claimed_at={now}, heartbeat={now}, stale_after=@s, attempts=attempts+1, outcome=NULL, outcome_at=NULL WHERE trunk_key=@t",
            tx, ("t", trunkKey), ("w", worker), ("s", staleSeconds));
        tx.Commit();
        return new ClaimGrant(trunkKey, worker, previous, previous is null ? null : age);
    }

    /// <summary>Refreshes the holder's heartbeat; false when <paramref name="worker"/> no longer holds the trunk.</summary>
    public bool Heartbeat(string trunkKey, string worker) =>
        store.Execute($"UPDATE trunk_claims SET heartbeat={store.Backend.NowSeconds} WHERE trunk_key=@t AND worker=@w", null, ("t", trunkKey), ("w", worker)) == 1;

    /// <summary>Frees the trunk if <paramref name="worker"/> still holds it, noting how it ended ("done", "failed", "stopped").</summary>
    public void Release(string trunkKey, string worker, string outcome)
    {
        using var tx = store.BeginWrite();
        store.Execute($"UPDATE trunk_claims SET worker=NULL, heartbeat=NULL, outcome=@o, outcome_at={store.Backend.NowSeconds} WHERE trunk_key=@t AND worker=@w",
            tx, ("t", trunkKey), ("w", worker), ("o", outcome));
        tx.Commit();
    }

    /// <summary>Trunks whose last attempt failed at or after <paramref name="since"/> (database clock): a worker does
    /// not retry what failed during its own lifetime, while a worker started later retries it once.</summary>
    public IReadOnlySet<string> FailedSince(double since)
    {
        using var cmd = store.Command("SELECT trunk_key FROM trunk_claims WHERE outcome='failed' AND outcome_at >= @s", null, ("s", since));
        using var r = cmd.ExecuteReader();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (r.Read()) keys.Add(r.GetString(0));
        return keys;
    }

    /// <summary>True when some trunk was released as done at or after <paramref name="since"/> (database clock).</summary>
    public bool DoneSince(double since) =>
        store.ScalarValue("SELECT 1 FROM trunk_claims WHERE outcome='done' AND outcome_at >= @s", null, ("s", since)) is not null;

    /// <summary>Every trunk that was ever claimed.</summary>
    public IReadOnlyList<TrunkClaim> All()
    {
        using var cmd = store.Command($"SELECT trunk_key, worker, {store.Backend.NowSeconds} - heartbeat, attempts, last_worker, outcome, stale_after FROM trunk_claims ORDER BY trunk_key", null);
        using var r = cmd.ExecuteReader();
        var list = new List<TrunkClaim>();
        while (r.Read())
            list.Add(new TrunkClaim(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetDouble(2), r.GetInt64(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetDouble(6)));
        return list;
    }

    /// <summary>Throws <see cref="ClaimLostException"/> unless <paramref name="worker"/> holds <paramref name="trunkKey"/>
    /// (inside the transaction that stores a result, so a worker that lost its trunk can never store into it).</summary>
    internal void EnsureHeld(DbTransaction tx, string trunkKey, string worker)
    {
        var holder = store.ScalarValue("SELECT worker FROM trunk_claims WHERE trunk_key=@t", tx, ("t", trunkKey)) as string;
        if (holder != worker)
            throw new ClaimLostException($"worker {worker} lost trunk {trunkKey} to {holder ?? "nobody"} (its heartbeat was late); the result is not stored");
    }
}
