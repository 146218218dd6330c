using System.Globalization;
using MimScale.Training.Distributed;
using MimScale.Training.Runs;
using MimScale.Training.Schedules;

namespace MimScale.Training.Pretraining;

/// <summary>What `mimscale pretrain` was asked: a config file with overrides and an output folder, or a folder to resume.</summary>
/// <param name="ConfigPath">RUN.yaml, or null with <paramref name="ResumeDir"/>.</param>
/// <param name="Overrides"><c>key=value</c> pairs applied on top of the file.</param>
/// <param name="OutDir">Run folder (default runs/&lt;config name&gt;).</param>
/// <param name="Lengths">Several lengths sharing one trunk (null: one run, or the lengths the folder recorded).</param>
/// <param name="ResumeDir">Continue this run folder from its last checkpoint.</param>
public sealed record PretrainRequest(string? ConfigPath, IReadOnlyList<string> Overrides, string? OutDir, IReadOnlyList<long>? Lengths, string? ResumeDir)
{
    /// <summary><c>--device</c>: cpu, cuda or auto (<see cref="DevicePlacement.Resolve"/>).</summary>
    public string Device { get; init; } = "cpu";
}

/// <summary>
/// A pre-training job in its run folder: claims the folder, records run.yaml and the lengths, then trains one run
/// (<see cref="PretrainRun"/> with the step schedule of its config) or one shared trunk with a branch per length
/// (<see cref="TrunkRunner"/>). The CLI only parses arguments and calls <see cref="Run(PretrainRequest, TextWriter, CancellationToken)"/>.
/// Under an MPI launcher every rank runs this same call (<see cref="Collectives.FromEnvironment"/>): rank 0 owns the
/// folder and the log, the others train their shard silently.
/// </summary>
public static class PretrainJob
{
    /// <summary>Runs the request; progress and the final summary lines go to <paramref name="log"/>.</summary>
    public static void Run(PretrainRequest request, TextWriter log, CancellationToken ct = default)
    {
        using var collectives = Collectives.FromEnvironment();
        Run(request, log, collectives, ct);
    }

    /// <summary>Runs the request as one rank of <paramref name="collectives"/>; only rank 0 writes to <paramref name="log"/>.</summary>
    public static void Run(PretrainRequest request, TextWriter log, ICollectives collectives, CancellationToken ct = default)
    {
        if (!collectives.IsRoot) log = TextWriter.Null;
        var device = DevicePlacement.Resolve(request.Device, Collectives.LocalRank(collectives));
        var (folder, config) = RankRunFolder.Open(collectives, "pretrain", request.ConfigPath, request.Overrides, request.OutDir, request.ResumeDir,
            (path, overrides) => PretrainConfigYaml.Load(path, overrides), PretrainConfigYaml.ToYaml);
        using (folder)
        {
            var lengths = folder.Lengths(request.Lengths);
            if (lengths is { Count: > 0 })
            {
                var plan = new TrunkPlan(lengths, config.DecayFraction);
                foreach (var b in TrunkRunner.Run(config, plan, folder.Dir, log, ct: ct, collectives: collectives, device: device))
                    log.WriteLine(Invariant($"length {b.Length}: train {F(b.Result.LastTrainLoss)} val {F(b.Result.LastValLoss)} ({b.Result.RunDir})"));
                log.WriteLine(Invariant($"shared trunk: {plan.TotalIterations} iterations instead of {plan.IndependentIterations} ({100.0 * (1 - (double)plan.TotalIterations / plan.IndependentIterations):F1}% saved)"));
            }
            else
            {
                var res = new PretrainRun(config, folder.Dir, log, collectives: collectives, device: device).Execute(config.Iterations, ct: ct);
                log.WriteLine(Invariant($"done: {res.Step} iterations, train {F(res.LastTrainLoss)}, val {F(res.LastValLoss)}, {res.WallSeconds:F0} s ({folder.Dir})"));
            }
        }
    }

    private static string F(double? v) => v is double d ? d.ToString("F4", CultureInfo.InvariantCulture) : "-";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
