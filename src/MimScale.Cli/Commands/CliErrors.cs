using MimScale.Models.Checkpoints;

namespace MimScale.Cli.Commands;

/// <summary>Turns the expected failures (bad files, bad arguments) into one clear line on stderr and exit code 1.</summary>
public static class CliErrors
{
    public static int Run(Action action)
    {
        try { action(); return 0; }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or CheckpointFormatException
                                       or StateDictMismatchException or NotSupportedException or UnauthorizedAccessException
                                       or InvalidOperationException or MimScale.Data.Errors.DataSourceException or MimScale.Training.Runs.NonFiniteTrainingException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
