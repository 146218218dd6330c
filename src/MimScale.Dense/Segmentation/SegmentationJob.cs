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
        SegmentationConfig config;
        RunFolder folder;
        if (request.ResumeDir is string resume)
        {
            folder = RunFolder.ClaimForResume(resume, "segment train");
            config = SegmentationConfigYaml.Load(folder.RunYamlPath);
        }
        else
        {
            string file = request.ConfigPath ?? throw new ArgumentException("give a config file or a run folder to resume");
            config = SegmentationConfigYaml.Load(file, request.Overrides);
            folder = RunFolder.Claim(request.OutDir ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(file)), "segment train");
            folder.WriteConfig(SegmentationConfigYaml.ToYaml(config));
        }
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
