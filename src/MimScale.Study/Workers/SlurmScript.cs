using System.Globalization;
using System.Text;
using MimScale.Study.Running;

namespace MimScale.Study.Workers;

/// <summary>What `mimscale study slurm` puts into a batch script.</summary>
/// <param name="SpecPath">The study spec (made absolute: jobs start in another folder).</param>
/// <param name="StudyFolder">The study folder (absolute; must be on a file system every node sees: checkpoints move between workers).</param>
/// <param name="Command">How to start MimScale on a node, e.g. "dotnet /opt/mimscale/mimscale.dll".</param>
/// <param name="Workers">Array tasks, i.e. workers (K).</param>
/// <param name="RanksPerWorker">MPI ranks per worker (N); above 1 each worker runs under <c>srun --mpi=pmi2 -n N</c>.</param>
/// <param name="Store">The <c>--store</c> value, or null for the folder's SQLite file (one node only).</param>
/// <param name="StaleAfterSeconds">The workers' <c>--stale-after</c>.</param>
/// <param name="CpusPerTask">Cores per rank, or null for Slurm's default (one per rank); the worker's torch threads follow it
/// (<c>--threads</c>; with several ranks and no value, 1: Slurm allocates one core per task and task/none does not pin them).</param>
/// <param name="TimeLimit">Slurm <c>--time</c> (e.g. "2-00:00:00"), or null.</param>
/// <param name="Partition">Slurm <c>--partition</c>, or null for the default.</param>
public sealed record SlurmJob(string SpecPath, string StudyFolder, string Command, int Workers = 1, int RanksPerWorker = 1, string? Store = null,
    double StaleAfterSeconds = 120, int? CpusPerTask = null, string? TimeLimit = null, string? Partition = null);

/// <summary>
/// The Slurm batch script of a study: a job array of K workers, each `mimscale study run SPEC --worker` on the same
/// store, so the trunks spread over however many array tasks Slurm runs at once and a task that dies (node failure,
/// time limit) has its trunk taken over by another (see <see cref="WorkerLoop"/>). Submit with <c>sbatch FILE</c>.
/// </summary>
public static class SlurmScript
{
    /// <summary>The script text.</summary>
    /// <exception cref="ArgumentException">A count below 1, or a name Slurm would misread.</exception>
    public static string Format(SlurmJob job, string studyName)
    {
        if (job.Workers < 1) throw new ArgumentException($"--workers must be at least 1 (got {job.Workers})");
        if (job.RanksPerWorker < 1) throw new ArgumentException($"--ranks-per-worker must be at least 1 (got {job.RanksPerWorker})");
        if (job.CpusPerTask is < 1) throw new ArgumentException($"--cpus-per-task must be at least 1 (got {job.CpusPerTask})");
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("#!/bin/bash");
        sb.AppendLine($"# MimScale study '{studyName}': {job.Workers} worker(s) sharing one study store; submit with `sbatch THIS_FILE`.");
        sb.AppendLine("# Each array task claims a trunk, trains it (heartbeating), and takes the next; a task that dies has its trunk");
        sb.AppendLine(string.Create(inv, $"# taken over by another after {job.StaleAfterSeconds:0} s without heartbeat. Watch: mimscale study status {Quote(job.StudyFolder)}")
            + (job.Store is null ? "" : $" --store {Quote(job.Store)}"));
        if (job.Store is null)
            sb.AppendLine("# Store: the folder's SQLite study.db, safe for workers on ONE node; across nodes pass --store postgresql://...");
        sb.AppendLine($"#SBATCH --job-name={JobName(studyName)}");
        sb.AppendLine(string.Create(inv, $"#SBATCH --array=0-{job.Workers - 1}"));
        sb.AppendLine(string.Create(inv, $"#SBATCH --ntasks={job.RanksPerWorker}"));
        if (job.CpusPerTask is int c) sb.AppendLine(string.Create(inv, $"#SBATCH --cpus-per-task={c}"));
        if (job.TimeLimit is not null) sb.AppendLine($"#SBATCH --time={job.TimeLimit}");
        if (job.Partition is not null) sb.AppendLine($"#SBATCH --partition={job.Partition}");
        // %A = array job id, %a = task id; the folder must exist before Slurm opens the file (mkdir below is too late for it).
        sb.AppendLine($"#SBATCH --output={Path.Combine(job.StudyFolder, "workers", "slurm-%A_%a.out")}");
        sb.AppendLine("set -euo pipefail");
        sb.AppendLine($"cd {Quote(job.StudyFolder)}");
        var run = new StringBuilder($"{job.Command} study run {Quote(Path.GetFullPath(job.SpecPath))} --out {Quote(job.StudyFolder)} --worker");
        if (job.Store is not null) run.Append($" --store {Quote(job.Store)}");
        run.Append(string.Create(inv, $" --stale-after {job.StaleAfterSeconds:0.###}"));
        if ((job.CpusPerTask ?? (job.RanksPerWorker > 1 ? 1 : null)) is int threads) run.Append(string.Create(inv, $" --threads {threads}"));
        // One MPI job per worker: srun starts the N ranks of this array task through PMI-2 (MPICH's interface under Slurm);
        // rank 0 is the worker, the others train its trunks with it (WorkerRanks). --kill-on-bad-exit: a rank that dies ends
        // the step at once (Slurm's default lets the others run on until the collective watchdog stops them).
        sb.AppendLine(job.RanksPerWorker > 1 ? string.Create(inv, $"srun --mpi=pmi2 --kill-on-bad-exit=1 -n {job.RanksPerWorker} {run}") : $"exec {run}");
        return sb.ToString();
    }

    private static string JobName(string name) =>
        "mimscale-" + string.Concat(name.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_'));

    /// <summary>Single-quotes for bash when needed.</summary>
    private static string Quote(string s) =>
        s.Length > 0 && s.All(ch => char.IsAsciiLetterOrDigit(ch) || "/._-:@=+,%".Contains(ch)) ? s : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
