using System.CommandLine;
using System.Globalization;
using MimScale.Training.Finetuning;

namespace MimScale.Cli.Commands;

/// <summary>
/// `mimscale finetune --config FT.yaml [--set key=value ...] [--out DIR]` and `mimscale finetune --resume RUN_DIR`.
/// </summary>
public static class FinetuneCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "FT.yaml (snake_case keys of the fine-tuning config)" };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set pretrained=runs/pre (repeatable)", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/<config name>)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last checkpoint" };
        var command = new Command("finetune", "Fine-tune a SimMIM pre-trained SwinV2 (or train from scratch) as the paper judges it: layer decay, warm-up + cosine, top-1/top-5 every epoch.");
        foreach (var o in new Option[] { config, set, output, resume }) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            if ((r.GetResult(config) is null) == (r.GetResult(resume) is null)) r.AddError("give exactly one of --config or --resume");
        });
        command.SetAction(r => CliErrors.Run(() =>
        {
            string? resumeDir = r.GetValue(resume);
            string dir;
            FinetuneConfig cfg;
            if (resumeDir is not null)
            {
                string saved = Path.Combine(resumeDir, "run.yaml");
                if (!File.Exists(saved)) throw new FileNotFoundException($"{resumeDir}: not a finetune run folder (no run.yaml)");
                cfg = FinetuneConfigYaml.Load(saved);
                dir = resumeDir;
            }
            else
            {
                string file = r.GetValue(config)!;
                cfg = FinetuneConfigYaml.Load(file, r.GetValue(set));
                dir = r.GetValue(output) ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(file));
                Directory.CreateDirectory(dir);
                string runYaml = Path.Combine(dir, "run.yaml");
                if (!File.Exists(runYaml)) File.WriteAllText(runYaml, FinetuneConfigYaml.ToYaml(cfg));
            }
            var res = new FinetuneRun(cfg, dir, Console.Out).Execute();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {res.Step} iterations from {res.StartedFrom}; best top-1 {100 * res.BestTop1:F2} (step {res.BestStep}), " +
                $"last top-1 {100 * (res.Last?.Top1 ?? double.NaN):F2} top-5 {100 * (res.Last?.Top5 ?? double.NaN):F2} mean/class {100 * (res.Last?.MeanPerClass ?? double.NaN):F2}; {res.WallSeconds:F0} s ({dir})"));
        }));
        return command;
    }
}
