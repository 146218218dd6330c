return MimScale.Cli.CliApp.Run(args);
