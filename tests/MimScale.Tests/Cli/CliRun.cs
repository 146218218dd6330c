using MimScale.Cli;

namespace MimScale.Tests.Cli;

/// <summary>
/// Tests that read what a command prints swap the process-wide Console writers, so they run in this collection: not in
/// parallel with any other test (xunit runs non-parallel collections after the parallel ones), so nothing else writes
/// into the captured text and the swap never leaks into another test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}

/// <summary>Runs `mimscale ARGS` in-process and captures its output and errors.</summary>
public static class CliRun
{
    public static (int Code, string Out, string Err) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try { return (CliApp.Run(args), output.ToString(), error.ToString()); }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
