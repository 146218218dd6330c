using System.Runtime.ExceptionServices;
using MimScale.Training.Runs;

namespace MimScale.Training.Distributed;

/// <summary>
/// The run folder as each rank of a data-parallel job sees it. Rank 0 claims it (the run-folder lock, run.yaml,
/// lengths.txt) exactly as a one-process run does; the other ranks only read the same config and folder name and
/// write nothing. The ranks then agree on whether rank 0 succeeded, so a refused folder (another live run in it, a
/// bad config) stops every rank at once with rank 0's message instead of leaving them waiting in a collective.
/// </summary>
public sealed class RankRunFolder : IDisposable
{
    private readonly RunFolder? claimed;

    private RankRunFolder(RunFolder? claimed, string dir) { this.claimed = claimed; Dir = dir; }

    /// <summary>The folder (absolute), on every rank.</summary>
    public string Dir { get; }

    /// <summary>See <see cref="RunFolder.Open{T}"/>; the lock is held by rank 0 only.</summary>
    public static (RankRunFolder Folder, T Config) Open<T>(ICollectives collectives, string command, string? configPath,
        IEnumerable<string> overrides, string? outDir, string? resumeDir, Func<string, IEnumerable<string>?, T> load, Func<T, string> toYaml)
    {
        if (collectives.WorldSize == 1)
        {
            var (folder, config) = RunFolder.Open(command, configPath, overrides, outDir, resumeDir, load, toYaml);
            return (new RankRunFolder(folder, folder.Dir), config);
        }
        (RankRunFolder, T)? opened = null;
        ExceptionDispatchInfo? error = null;
        try
        {
            if (collectives.IsRoot)
            {
                var (folder, config) = RunFolder.Open(command, configPath, overrides, outDir, resumeDir, load, toYaml);
                opened = (new RankRunFolder(folder, folder.Dir), config);
            }
            else if (resumeDir is not null)
            {
                string full = Path.GetFullPath(resumeDir);
                opened = (new RankRunFolder(null, full), load(Path.Combine(full, "run.yaml"), null));
            }
            else
            {
                string file = configPath ?? throw new ArgumentException("give a config file or a run folder to resume");
                var config = load(file, overrides);
                opened = (new RankRunFolder(null, Path.GetFullPath(outDir ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(file)))), config);
            }
        }
        catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
        var failed = new[] { error is null ? 0.0 : 1.0 };
        collectives.SumInPlace(failed);
        if (error is not null) error.Throw();
        if (failed[0] > 0)
        {
            opened?.Item1.Dispose();
            throw new InvalidOperationException($"another rank could not open the {command} run folder (its message is above); rank {collectives.Rank} stops too");
        }
        return opened!.Value;
    }

    /// <summary>The lengths sharing one trunk: rank 0 records given ones (<see cref="RunFolder.Lengths"/>); the others
    /// take the given ones or read the record, which rank 0 only writes when lengths are given.</summary>
    public IReadOnlyList<long>? Lengths(IReadOnlyList<long>? given) =>
        claimed?.Lengths(given) ?? (given is { Count: > 0 } ? given : RunFolder.ReadLengths(Path.Combine(Dir, "lengths.txt")));

    public void Dispose() => claimed?.Dispose();
}
