using MimScale.Files;
using MimScale.Study.Execution;
using MimScale.Study.Spec;

namespace MimScale.Study.Running;

/// <summary>
/// Layout of a study folder: <c>study.db</c> (results), <c>spec.yaml</c> (last spec run), <c>study.log</c> (every
/// progress line, appended), <c>data/</c> (subset manifests), <c>trunks/KEY/</c> (executor's trunk checkpoints),
/// <c>cells/KEY/</c> (config.json, logs, checkpoints, images of one cell), <c>results.json</c>, <c>report.md</c>,
/// <c>report.html</c>, <c>plots/</c>.
/// </summary>
/// <param name="Root">Absolute folder path.</param>
public sealed record StudyFolder(string Root)
{
    /// <summary>The folder at <paramref name="path"/> (made absolute).</summary>
    public static StudyFolder At(string path) => new(Path.GetFullPath(path));

    /// <summary>Default folder of a spec: <c>runs/NAME</c> under the current directory.</summary>
    public static StudyFolder DefaultFor(StudySpec spec) => At(Path.Combine("runs", spec.Name));

    public string DatabasePath => Path.Combine(Root, "study.db");
    public string SpecPath => Path.Combine(Root, "spec.yaml");
    public string LogPath => Path.Combine(Root, "study.log");
    public string DataDir => Path.Combine(Root, "data");
    public string ResultsJsonPath => Path.Combine(Root, "results.json");
    public string LockPath => Path.Combine(Root, LockName);

    /// <summary>Folder of a cell.</summary>
    public string CellDir(string cellKey) => Path.Combine(Root, "cells", cellKey);

    /// <summary>Folder of a trunk.</summary>
    public string TrunkDir(string trunkKey) => Path.Combine(Root, "trunks", trunkKey);

    /// <summary>True when the folder holds a study store.</summary>
    public bool Exists => File.Exists(DatabasePath);

    /// <summary>
    /// Takes the folder's exclusive lock (an OS file lock, released when the process dies), so two runs never work
    /// on one study at once.
    /// </summary>
    /// <exception cref="StudyExecutionException">Another process (or run) holds the lock.</exception>
    public IDisposable Lock()
    {
        try { return FolderLock.Acquire(Root, LockName, "another `mimscale study run`"); }
        catch (FolderLockedException e) { throw new StudyExecutionException(e.Message, e); }
    }

    /// <summary>
    /// Takes the folder's lock shared, as workers do: any number of `study run --worker` on this machine together, but
    /// not beside a `study run` without --worker (which takes it exclusively). On Linux .NET maps FileShare.None to
    /// flock LOCK_EX and any other sharing to LOCK_SH; the kernel drops either when the process dies.
    /// </summary>
    /// <exception cref="StudyExecutionException">A `study run` without --worker holds the folder.</exception>
    public IDisposable SharedLock()
    {
        Directory.CreateDirectory(Root);
        try { return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
        catch (IOException e)
        {
            throw new StudyExecutionException($"{Root}: a `mimscale study run` without --worker is working in this folder; workers share a study only with other workers", e);
        }
    }

    /// <summary>Log of one worker (workers append to their own file: appends of several processes to one would interleave).</summary>
    public string WorkerLogPath(string workerId) =>
        Path.Combine(Root, "workers", string.Concat(workerId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_')) + ".log");

    /// <summary>True while a live `study run` holds the folder (cells it marked as running are really running).</summary>
    public bool RunnerAlive => FolderLock.IsHeld(Root, LockName);

    private const string LockName = "study.lock";
}
