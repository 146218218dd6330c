using System.Globalization;

namespace MimScale.Training.Distributed;

/// <summary>
/// Chooses the collectives of this process from its environment: under <c>mpiexec</c> (Hydra sets PMI_RANK and
/// PMI_SIZE) or Slurm's <c>srun --mpi=pmi2</c> (sets PMI_RANK / PMI_SIZE too) MPI is initialised; otherwise nothing
/// MPI-related is loaded at all, so a plain run is unaffected and needs no MPI installed.
/// </summary>
public static class Collectives
{
    /// <summary>Seconds a rank may wait inside one collective before it aborts the job (MIMSCALE_MPI_TIMEOUT).</summary>
    public const int DefaultTimeoutSeconds = 900;

    /// <summary>True when this process was started by an MPI launcher.</summary>
    public static bool LaunchedByMpi(Func<string, string?> env) =>
        env("PMI_SIZE") is { Length: > 0 } || env("PMI_RANK") is { Length: > 0 } || env("MPI_LOCALRANKID") is { Length: > 0 };

    /// <summary>This rank's place among the ranks on its machine (Hydra's MPI_LOCALRANKID, Slurm's SLURM_LOCALID),
    /// else its rank: which GPU it takes when a machine has several.</summary>
    public static int LocalRank(ICollectives collectives)
    {
        foreach (var key in new[] { "MPI_LOCALRANKID", "SLURM_LOCALID" })
            if (collectives.WorldSize > 1 && int.TryParse(System.Environment.GetEnvironmentVariable(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int local))
                return local;
        return collectives.Rank;
    }

    /// <summary>
    /// <see cref="SingleProcess.Instance"/> for a plain run, else an initialised <see cref="MpiCollectives"/> (its
    /// Dispose finalises MPI). <c>MIMSCALE_MPI_TIMEOUT</c> sets the watchdog in seconds (default
    /// <see cref="DefaultTimeoutSeconds"/>: longer than any single-rank pause of a run, e.g. a checkpoint write).
    /// </summary>
    public static ICollectives FromEnvironment()
    {
        Func<string, string?> env = System.Environment.GetEnvironmentVariable;
        if (!LaunchedByMpi(env)) return SingleProcess.Instance;
        int timeout = DefaultTimeoutSeconds;
        if (env("MIMSCALE_MPI_TIMEOUT") is { Length: > 0 } t
            && (!int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out timeout) || timeout <= 0))
            throw new ArgumentException($"MIMSCALE_MPI_TIMEOUT '{t}' is not a positive number of seconds");
        return new MpiCollectives(TimeSpan.FromSeconds(timeout));
    }
}
