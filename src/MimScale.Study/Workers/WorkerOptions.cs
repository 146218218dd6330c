using System.Globalization;

namespace MimScale.Study.Workers;

/// <summary>
/// How a `study run --worker` shares its study with other workers (<see cref="WorkerLoop"/>).
/// </summary>
/// <param name="WorkerId">This worker's name in the store and in `study status` (default <see cref="DefaultId"/>).</param>
/// <param name="StaleAfterSeconds">A trunk whose holder has not heartbeaten for this long is taken over by another worker.
/// Default 120 s: far above the heartbeat interval (a quarter of it), and a worker waits this long after a kill before
/// the trunk moves on, so keep it short enough not to waste a cluster slot and long enough to survive a stalled file system.</param>
/// <param name="PollSeconds">How often a worker with nothing to claim looks again while other workers still hold trunks
/// (it stays, so it can take over a trunk whose worker dies).</param>
public sealed record WorkerOptions(string WorkerId, double StaleAfterSeconds = 120, double PollSeconds = 5)
{
    /// <summary>Seconds between heartbeats: a quarter of the stale time, so three missed beats are tolerated.</summary>
    public double HeartbeatSeconds => StaleAfterSeconds / 4;

    /// <summary>"host:pid", with the Slurm job and array task when run under Slurm ("host:pid:job 12_3").</summary>
    public static string DefaultId()
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}");
        var job = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") ?? Environment.GetEnvironmentVariable("SLURM_JOB_ID");
        var task = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
        return job is null ? id : $"{id}:slurm {job}" + (task is null ? "" : $"_{task}");
    }

    /// <summary>Checks the times.</summary>
    /// <exception cref="ArgumentException">A non-positive time.</exception>
    public WorkerOptions Validated()
    {
        if (string.IsNullOrWhiteSpace(WorkerId)) throw new ArgumentException("the worker id must not be empty");
        if (!(StaleAfterSeconds > 0)) throw new ArgumentException($"--stale-after must be positive (got {StaleAfterSeconds})");
        if (!(PollSeconds > 0)) throw new ArgumentException($"the poll interval must be positive (got {PollSeconds})");
        return this;
    }
}
