// Flush-to-zero once at process start, before libtorch starts its thread pool (its workers inherit it): the -100
// shifted-window mask makes denormal attention probabilities that otherwise run on the CPU's slow path (see
// DenormalFlush). It is set here rather than in CliApp.Run because the setting belongs to the calling thread, and
// in-process callers of CliApp.Run (the tests) must not have their thread's floating-point mode changed behind them.
MimScale.Models.Runtime.DenormalFlush.Enable();
return MimScale.Cli.CliApp.Run(args);
