using System.Globalization;
using MimScale.Training.Runs;

namespace MimScale.Dense.Detection.Training;

/// <summary>What `mimscale detect train` was asked: a config with overrides and an output folder, or a folder to resume.</summary>
public sealed record DetectionRequest(string? ConfigPath, IReadOnlyList<string> Overrides, string? OutDir, string? ResumeDir);

/// <summary>A detection job in its run folder: claims the folder, records run.yaml, runs <see cref="DetectionRun"/>.</summary>
public static class DetectionJob
{
    /// <summary>Runs the request; progress and the final summary line go to <paramref name="log"/>.</summary>
    public static DetectionResult Run(DetectionRequest request, TextWriter log)
    {
        var (folder, config) = RunFolder.Open("detect train", request.ConfigPath, request.Overrides, request.OutDir, request.ResumeDir,
            DetectionConfigYaml.Load, DetectionConfigYaml.ToYaml);
        using (folder) return Execute(config, folder, log, default);
    }

    /// <summary>Runs <paramref name="config"/> in <paramref name="outDir"/> (claimed; resumed if it holds a checkpoint of this config).</summary>
    public static DetectionResult Run(DetectionConfig config, string outDir, TextWriter log, CancellationToken ct = default)
    {
        using var folder = RunFolder.Claim(outDir, "detect train");
        folder.WriteConfig(DetectionConfigYaml.ToYaml(config));
        return Execute(config, folder, log, ct);
    }

    static DetectionResult Execute(DetectionConfig config, RunFolder folder, TextWriter log, CancellationToken ct)
    {
        var r = new DetectionRun(config, folder.Dir, log).Execute(ct);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {r.Step} iterations from {r.StartedFrom}; box AP {100 * (r.Box?.AP ?? double.NaN):F2} (AP50 {100 * (r.Box?.AP50 ?? double.NaN):F2}), " +
            $"mask AP {100 * (r.Mask?.AP ?? double.NaN):F2} (AP50 {100 * (r.Mask?.AP50 ?? double.NaN):F2}); {r.WallSeconds:F0} s ({folder.Dir})"));
        return r;
    }
}
