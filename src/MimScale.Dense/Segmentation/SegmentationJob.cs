using System.Globalization;
using MimScale.Training.Runs;

namespace MimScale.Dense.Segmentation;

/// <summary>What `mimscale segment train` was asked: a config with overrides and an output folder, or a folder to resume.</summary>
public sealed record SegmentationRequest(string? ConfigPath, IReadOnlyList<string> Overrides, string? OutDir, string? ResumeDir);

/// <summary>A segmentation run in its folder: claims it (one live owner), records run.yaml, runs <see cref="SegmentationRun"/>.</summary>
public static class SegmentationJob
{
    public static SegmentationResult Run(SegmentationRequest request, TextWriter log, CancellationToken ct = default)
    {
        var (folder, config) = RunFolder.Open("segment train", request.ConfigPath, request.Overrides, request.OutDir, request.ResumeDir,
            SegmentationConfigYaml.Load, SegmentationConfigYaml.ToYaml);
        using (folder) return Execute(config, folder, log, ct);
    }

    /// <summary>Runs <paramref name="config"/> in <paramref name="outDir"/> (claimed; resumed if it holds a checkpoint of this config).</summary>
    public static SegmentationResult Run(SegmentationConfig config, string outDir, TextWriter log, CancellationToken ct = default)
    {
        using var folder = RunFolder.Claim(outDir, "segment train");
        folder.WriteConfig(SegmentationConfigYaml.ToYaml(config));
        return Execute(config, folder, log, ct);
    }

    static SegmentationResult Execute(SegmentationConfig config, RunFolder folder, TextWriter log, CancellationToken ct)
    {
        var res = new SegmentationRun(config, folder.Dir, log).Execute(ct);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {res.Step} iterations from {res.StartedFrom}; {res.Metrics?.Summary() ?? "no evaluation"}; {res.WallSeconds:F0} s ({folder.Dir})"));
        return res;
    }
}
