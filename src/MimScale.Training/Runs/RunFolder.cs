using System.Globalization;
using MimScale.Files;

namespace MimScale.Training.Runs;

/// <summary>
/// A run folder and its one owner. Layout: <c>run.yaml</c> (the config as given; <c>--resume</c> reads it back),
/// <c>lengths.txt</c> (lengths sharing one trunk, when there are several), <c>run.lock</c> (held while a process works
/// here), and what the runs write (config.resolved.json, metrics.jsonl, checkpoints/, bad-images.txt, ...).
/// Claiming takes an OS lock that the kernel drops when the process dies: a second live process is refused with one
/// line, a killed run's resume is not. A folder where no training step was ever checkpointed holds nothing to lose,
/// so a corrected config may replace the one of a run that failed before its first step.
/// </summary>
public sealed class RunFolder : IDisposable
{
    private readonly FolderLock folderLock;

    private RunFolder(string dir, FolderLock folderLock) { Dir = dir; this.folderLock = folderLock; }

    /// <summary>The folder (absolute).</summary>
    public string Dir { get; }

    public string RunYamlPath => Path.Combine(Dir, "run.yaml");
    public string LengthsPath => Path.Combine(Dir, "lengths.txt");

    /// <summary>Takes <paramref name="dir"/> for a run of <paramref name="command"/> ("pretrain", "finetune").</summary>
    /// <exception cref="FolderLockedException">Another live process works in the folder.</exception>
    public static RunFolder Claim(string dir, string command)
    {
        string full = Path.GetFullPath(dir);
        return new RunFolder(full, FolderLock.Acquire(full, "run.lock", $"another `mimscale {command}`"));
    }

    /// <summary>An existing run folder to continue; its run.yaml must be there.</summary>
    public static RunFolder ClaimForResume(string dir, string command)
    {
        if (!File.Exists(Path.Combine(dir, "run.yaml")))
            throw new FileNotFoundException($"{dir}: not a {command} run folder (no run.yaml)", Path.Combine(dir, "run.yaml"));
        return Claim(dir, command);
    }

    /// <summary>
    /// The folder and config of a run request, the same for every kind of run: with <paramref name="resumeDir"/> the
    /// folder is continued and its run.yaml is the config; otherwise the config file (with its <c>--set</c> overrides) is
    /// read and recorded as run.yaml of <paramref name="outDir"/> (default runs/&lt;config name&gt;). The folder is claimed.
    /// </summary>
    public static (RunFolder Folder, T Config) Open<T>(string command, string? configPath, IEnumerable<string> overrides, string? outDir,
        string? resumeDir, Func<string, IEnumerable<string>?, T> load, Func<T, string> toYaml)
    {
        if (resumeDir is not null)
        {
            var resumed = ClaimForResume(resumeDir, command);
            try { return (resumed, load(resumed.RunYamlPath, null)); }
            catch { resumed.Dispose(); throw; }
        }
        string file = configPath ?? throw new ArgumentException("give a config file or a run folder to resume");
        var config = load(file, overrides);
        var folder = Claim(outDir ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(file)), command);
        try { folder.WriteConfig(toYaml(config)); }
        catch { folder.Dispose(); throw; }
        return (folder, config);
    }

    /// <summary>True once any run below the folder has written a checkpoint: from then on its config is fixed.</summary>
    public bool HasStarted => HasCheckpoint(Dir);

    /// <summary>True when <paramref name="runDir"/> or a run below it holds a checkpoint.</summary>
    public static bool HasCheckpoint(string runDir) =>
        Directory.Exists(runDir) && Directory.EnumerateFiles(runDir, "state.json", SearchOption.AllDirectories)
            .Any(f => !AtomicFile.IsTemp(Path.GetDirectoryName(f)!));

    /// <summary>
    /// Records the config a new run starts with. A folder that has started keeps its own: a different one is refused
    /// later by the config guard of <see cref="RunSession"/>; one that never started takes the new one.
    /// </summary>
    public void WriteConfig(string yaml)
    {
        if (File.Exists(RunYamlPath) && HasStarted) return;
        AtomicFile.WriteAllText(RunYamlPath, yaml);
    }

    /// <summary>The lengths given now (recorded) or, when none are given, those recorded before (null when neither).</summary>
    public IReadOnlyList<long>? Lengths(IReadOnlyList<long>? given)
    {
        if (given is { Count: > 0 })
        {
            AtomicFile.WriteAllText(LengthsPath, string.Join(",", given.Select(l => l.ToString(CultureInfo.InvariantCulture))));
            return given;
        }
        return ReadLengths(LengthsPath);
    }

    /// <summary>The lengths recorded in <paramref name="path"/> (lengths.txt), or null when there is no record.</summary>
    public static IReadOnlyList<long>? ReadLengths(string path)
    {
        if (!File.Exists(path)) return null;
        return File.ReadAllText(path).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) ? t
                : throw new InvalidDataException($"{path}: '{s}' is not a length"))
            .ToList();
    }

    public void Dispose() => folderLock.Dispose();
}
