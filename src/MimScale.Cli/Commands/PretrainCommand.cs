using System.CommandLine;
using MimScale.Training.Pretraining;
using MimScale.Training.Schedules;

namespace MimScale.Cli.Commands;

/// <summary>
/// `mimscale pretrain --config RUN.yaml [--set key=value ...] [--out DIR] [--lengths 400,800]` and
/// `mimscale pretrain --resume RUN_DIR`.
/// </summary>
public static class PretrainCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "RUN.yaml (snake_case keys of the pre-training config)" };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set iterations=2000 (repeatable)", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/<config name>)" };
        var lengths = new Option<string?>("--lengths") { Description = "Several training lengths sharing one trunk, e.g. 500,1000,2000" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last checkpoint" };
        var command = new Command("pretrain", "SimMIM pre-training as the paper runs it (iterations, step schedule, validation loss, checkpoints).");
        foreach (var o in new Option[] { config, set, output, lengths, resume }) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            if ((r.GetResult(config) is null) == (r.GetResult(resume) is null)) r.AddError("give exactly one of --config or --resume");
        });
        command.SetAction(r => CliErrors.Run(() =>
        {
            string? resumeDir = r.GetValue(resume);
            string dir;
            PretrainConfig cfg;
            if (resumeDir is not null)
            {
                string saved = Path.Combine(resumeDir, "run.yaml");
                if (!File.Exists(saved)) throw new FileNotFoundException($"{resumeDir}: not a pretrain run folder (no run.yaml)");
                cfg = PretrainConfigYaml.Load(saved);
                dir = resumeDir;
            }
            else
            {
                string file = r.GetValue(config)!;
                cfg = PretrainConfigYaml.Load(file, r.GetValue(set));
                dir = r.GetValue(output) ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(file));
                Directory.CreateDirectory(dir);
                string runYaml = Path.Combine(dir, "run.yaml");
                if (!File.Exists(runYaml)) File.WriteAllText(runYaml, PretrainConfigYaml.ToYaml(cfg));
            }
            var lengthList = r.GetValue(lengths)?.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
            if (lengthList is { Length: > 0 })
            {
                File.WriteAllText(Path.Combine(dir, "lengths.txt"), string.Join(",", lengthList));
            }
            else if (File.Exists(Path.Combine(dir, "lengths.txt")))
                lengthList = File.ReadAllText(Path.Combine(dir, "lengths.txt")).Split(',').Select(long.Parse).ToArray();

            if (lengthList is { Length: > 0 })
            {
                var plan = new TrunkPlan(lengthList, cfg.DecayFraction);
                foreach (var b in TrunkRunner.Run(cfg, plan, dir, Console.Out))
                    Console.WriteLine($"length {b.Length}: train {b.Result.LastTrainLoss:F4} val {b.Result.LastValLoss:F4} ({b.Result.RunDir})");
                Console.WriteLine($"shared trunk: {plan.TotalIterations} iterations instead of {plan.IndependentIterations} ({100.0 * (1 - (double)plan.TotalIterations / plan.IndependentIterations):F1}% saved)");
            }
            else
            {
                var schedule = StepSchedule.ForLength(cfg.ScaledLr, cfg.ScaledWarmupLr, cfg.WarmupIterations, cfg.Iterations, cfg.DecayFraction, cfg.DecayGamma);
                var res = new PretrainRun(cfg, dir, Console.Out).Execute(schedule, cfg.Iterations);
                Console.WriteLine($"done: {res.Step} iterations, train {res.LastTrainLoss:F4}, val {res.LastValLoss:F4}, {res.WallSeconds:F0} s ({dir})");
            }
        }));
        return command;
    }
}
