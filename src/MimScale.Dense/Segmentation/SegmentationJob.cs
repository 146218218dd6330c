using MimScale.Training.Runs;

namespace MimScale.Dense.Segmentation;

/// <summary>What `mimscale segment train` was asked: a config with overrides and an output folder, or a folder to resume.</summary>
public sealed record SegmentationRequest(string? ConfigPath, IReadOnlyList<string> Overrides, string? OutDir, string? ResumeDir)
    : RunRequest(ConfigPath, Overrides, OutDir, ResumeDir);

/// <summary>A segmentation run in its folder (<see cref="RunJob"/>: claimed by one live owner, run.yaml, closing line) running <see cref="SegmentationRun"/>.</summary>
public static class SegmentationJob
{
    const string Command = "segment train";

    public static SegmentationResult Run(SegmentationRequest request, TextWriter log, CancellationToken ct = default) =>
        RunJob.Run(Command, request, SegmentationConfigYaml.Load, SegmentationConfigYaml.ToYaml, (c, dir) => new SegmentationRun(c, dir, log).Execute(ct), log);

    /// <summary>Runs <paramref name="config"/> in <paramref name="outDir"/> (claimed; resumed if it holds a checkpoint of this config).</summary>
    public static SegmentationResult Run(SegmentationConfig config, string outDir, TextWriter log, CancellationToken ct = default) =>
        RunJob.Run(Command, config, outDir, SegmentationConfigYaml.ToYaml, (c, dir) => new SegmentationRun(c, dir, log).Execute(ct), log);
}
