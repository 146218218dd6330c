using System.CommandLine;
using MimScale.Cli.Commands;

namespace MimScale.Cli;

/// <summary>The `mimscale` command tree; tests invoke it in-process with the same arguments a user types.</summary>
public static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("MimScale: SimMIM pre-training with SwinV2 encoders and data-scaling studies.");
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        return root;
    }

    /// <summary>
    /// Runs one command line. Leaves the calling thread's floating-point mode alone: flush-to-zero is switched on by
    /// the program's entry point (Program.cs), not here.
    /// </summary>
    public static int Run(params string[] args) => Build().Parse(args).Invoke();
}
