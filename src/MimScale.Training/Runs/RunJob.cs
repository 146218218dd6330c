using System.Globalization;
using MimScale.Training.Distributed;

namespace MimScale.Training.Runs;

/// <summary>What a training command was asked: a config file with <c>--set</c> overrides and an output folder, or a run folder to resume.</summary>
public record RunRequest(string? ConfigPath, IReadOnlyList<string> Overrides, string? OutDir, string? ResumeDir);

/// <summary>
/// A run as a job in its folder, the same for every supervised task: the folder is claimed (one live owner; rank 0
/// of a data-parallel job), run.yaml records the config, the run executes, and one closing line sums it up
/// ("done: N iterations from ...; the task's numbers; seconds (folder)").
/// </summary>
public static class RunJob
{
    /// <summary>Runs a request of <paramref name="command"/> (e.g. "segment train"): the folder and config of
    /// <see cref="RunFolder.Open{T}"/> (rank 0 claims it, <see cref="RankRunFolder"/>), then <paramref name="execute"/>(config, folder).</summary>
    public static TResult Run<TConfig, TResult>(string command, RunRequest request, Func<string, IEnumerable<string>?, TConfig> load,
        Func<TConfig, string> toYaml, Func<TConfig, string, TResult> execute, TextWriter log, ICollectives? collectives = null)
        where TResult : IRunResult
    {
        var (folder, config) = RankRunFolder.Open(collectives ?? SingleProcess.Instance, command, request.ConfigPath, request.Overrides,
            request.OutDir, request.ResumeDir, load, toYaml);
        using (folder) return Closed(execute(config, folder.Dir), folder.Dir, log);
    }

    /// <summary>Runs <paramref name="config"/> in <paramref name="outDir"/> (claimed; resumed if it holds a checkpoint of this config).</summary>
    public static TResult Run<TConfig, TResult>(string command, TConfig config, string outDir, Func<TConfig, string> toYaml,
        Func<TConfig, string, TResult> execute, TextWriter log)
        where TResult : IRunResult
    {
        using var folder = RunFolder.Claim(outDir, command);
        folder.WriteConfig(toYaml(config));
        return Closed(execute(config, folder.Dir), folder.Dir, log);
    }

    static TResult Closed<TResult>(TResult result, string dir, TextWriter log) where TResult : IRunResult
    {
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {result.Step} iterations from {result.StartedFrom}; {result.Outcome()}; {result.WallSeconds:F0} s ({dir})"));
        return result;
    }
}
