using System.Globalization;
using MimScale.Training.Distributed;
using MimScale.Training.Runs;

namespace MimScale.Training.Finetuning;

/// <summary>What `mimscale finetune` was asked: a config file with overrides and an output folder, or a folder to resume.</summary>
public sealed record FinetuneRequest(string? ConfigPath, IReadOnlyList<string> Overrides, string? OutDir, string? ResumeDir)
{
    /// <summary><c>--device</c>: cpu, cuda or auto (<see cref="DevicePlacement.Resolve"/>).</summary>
    public string Device { get; init; } = "cpu";
}

/// <summary>A fine-tuning job in its run folder: claims the folder, records run.yaml, runs <see cref="FinetuneRun"/>.</summary>
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
        var (folder, config) = RankRunFolder.Open(collectives, "finetune", request.ConfigPath, request.Overrides, request.OutDir, request.ResumeDir,
            (path, overrides) => FinetuneConfigYaml.Load(path, overrides), FinetuneConfigYaml.ToYaml);
        using (folder)
        {
            var res = new FinetuneRun(config, folder.Dir, log, collectives, device).Execute();
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {res.Step} iterations from {res.StartedFrom}; best top-1 {100 * res.BestTop1:F2} (step {res.BestStep}), " +
                $"last top-1 {100 * (res.Last?.Top1 ?? double.NaN):F2} top-5 {100 * (res.Last?.Top5 ?? double.NaN):F2} mean/class {100 * (res.Last?.MeanPerClass ?? double.NaN):F2}; {res.WallSeconds:F0} s ({folder.Dir})"));
            return res;
        }
    }
}
