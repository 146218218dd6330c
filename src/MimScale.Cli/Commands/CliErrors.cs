using MimScale.Analysis.Io;
using MimScale.Data.Errors;
using MimScale.Models.TensorFiles;
using MimScale.Study.Execution;
using MimScale.Study.Spec;
using MimScale.Training.Runs;

namespace MimScale.Cli.Commands;

/// <summary>
/// The one error path of every command: a user error (bad file, bad config or value, refused checkpoint, non-finite
/// loss, locked folder, full disk) prints one line <c>error: MESSAGE</c> naming the thing and the problem, and the
/// command exits 1; anything else is a bug in MimScale and keeps its stack trace.
/// </summary>
public static class CliErrors
{
    /// <summary>Runs <paramref name="action"/>: exit 0, or 1 after one error line.</summary>
    public static int Run(Action action, TextWriter? error = null) => Run(() => { action(); return 0; }, error);

    /// <summary>Runs <paramref name="action"/>: its exit code, or 1 after one error line.</summary>
    public static int Run(Func<int> action, TextWriter? error = null)
    {
        try { return action(); }
        catch (Exception e) when (IsUserError(e))
        {
            (error ?? Console.Error).WriteLine($"error: {OneLine(e.Message)}");
            return 1;
        }
    }

    /// <summary>
    /// Errors that describe the input or the machine, not a MimScale bug. IOException covers missing files, locked run
    /// folders (FolderLockedException) and a full disk; InvalidDataException, FormatException and ArgumentException bad
    /// files and values; the rest are MimScale's own messages about specs, data, checkpoints, results and training.
    /// </summary>
    public static bool IsUserError(Exception e) =>
        e is IOException or InvalidDataException or FormatException or ArgumentException or NotSupportedException or UnauthorizedAccessException
            or CheckpointFormatException or StateDictMismatchException or DataSourceException or NonFiniteTrainingException
            or StudySpecException or StudyExecutionException or ResultTableException
            // Raised on purpose with a user-facing message by the runs (e.g. "holds a run with a different config").
            or InvalidOperationException;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
