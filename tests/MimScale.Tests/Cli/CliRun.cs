using MimScale.Cli;

namespace MimScale.Tests.Cli;

/// <summary>Runs `mimscale ARGS` in-process and captures its output and errors (callers belong to <see cref="ConsoleCollection"/>).</summary>
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
