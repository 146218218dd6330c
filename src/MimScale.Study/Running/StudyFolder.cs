using MimScale.Files;

namespace MimScale.Study;

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

    /// <summary>True while a live `study run` holds the folder (cells it marked as running are really running).</summary>
    public bool RunnerAlive => FolderLock.IsHeld(Root, LockName);

    private const string LockName = "study.lock";
}
