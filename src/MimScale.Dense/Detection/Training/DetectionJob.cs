using MimScale.Training.Runs;

namespace MimScale.Dense.Detection.Training;

/// <summary>What `mimscale detect train` was asked: a config with overrides and an output folder, or a folder to resume.</summary>
public sealed record DetectionRequest(string? ConfigPath, IReadOnlyList<string> Overrides, string? OutDir, string? ResumeDir)
    : RunRequest(ConfigPath, Overrides, OutDir, ResumeDir);

/// <summary>A detection job in its run folder (<see cref="RunJob"/>: claimed by one live owner, run.yaml, closing line) running <see cref="DetectionRun"/>.</summary>
public static class DetectionJob
{
    const string Command = "detect train";

    /// <summary>Runs the request; progress and the final summary line go to <paramref name="log"/>.</summary>
    public static DetectionResult Run(DetectionRequest request, TextWriter log) =>
        RunJob.Run(Command, request, DetectionConfigYaml.Load, DetectionConfigYaml.ToYaml, (c, dir) => new DetectionRun(c, dir, log).Execute(), log);

    /// <summary>Runs <paramref name="config"/> in <paramref name="outDir"/> (claimed; resumed if it holds a checkpoint of this config).</summary>
    public static DetectionResult Run(DetectionConfig config, string outDir, TextWriter log, CancellationToken ct = default) =>
        RunJob.Run(Command, config, outDir, DetectionConfigYaml.ToYaml, (c, dir) => new DetectionRun(c, dir, log).Execute(ct), log);
}
