using System.CommandLine;
using MimScale.Cli.Commands;

var root = new RootCommand("MimScale: SimMIM pre-training with SwinV2 encoders and data-scaling studies.");
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
return root.Parse(args).Invoke();
