using MimScale.Training.Distributed;
using MimScale.Training.Runs;

namespace MimScale.Training.Finetuning;

/// <summary>What `mimscale finetune` was asked: a config file with overrides and an output folder, or a folder to resume.</summary>
public sealed record FinetuneRequest(string? ConfigPath, IReadOnlyList<string> Overrides, string? OutDir, string? ResumeDir)
    : RunRequest(ConfigPath, Overrides, OutDir, ResumeDir)
{
    /// <summary><c>--device</c>: cpu, cuda or auto (<see cref="DevicePlacement.Resolve"/>).</summary>
    public string Device { get; init; } = "cpu";
}

/// <summary>A fine-tuning job in its run folder (<see cref="RunJob"/>: claimed by rank 0, run.yaml, closing line) running <see cref="FinetuneRun"/>.</summary>
public static class FinetuneJob
{
    /// <summary>Runs the request; progress and the final summary line go to <paramref name="log"/>.</summary>
    public static FinetuneResult Run(FinetuneRequest request, TextWriter log)
    {
        using var collectives = Collectives.FromEnvironment();
        return Run(request, log, collectives);
    }

    /// <summary>Runs the request as one rank of <paramref name="collectives"/> (an MPI job: rank 0 owns the folder and the log).</summary>
    public static FinetuneResult Run(FinetuneRequest request, TextWriter log, ICollectives collectives)
    {
        if (!collectives.IsRoot) log = TextWriter.Null;
        var device = DevicePlacement.Resolve(request.Device, Collectives.LocalRank(collectives));
        return RunJob.Run("finetune", request, (path, overrides) => FinetuneConfigYaml.Load(path, overrides), FinetuneConfigYaml.ToYaml,
            (config, dir) => new FinetuneRun(config, dir, log, collectives, device).Execute(), log, collectives);
    }
}
