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

    public static int Run(params string[] args)
    {
        // Flush-to-zero before libtorch starts its thread pool (its workers inherit it): the -100 shifted-window mask
        // makes denormal attention probabilities that otherwise run on the CPU's slow path (see DenormalFlush).
        MimScale.Models.SwinV2.DenormalFlush.Enable();
        return Build().Parse(args).Invoke();
    }
}
