using System.CommandLine;
using MimScale.Training.Pretraining;

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
        var device = DeviceOption.Create();
        foreach (var o in new Option[] { config, set, output, lengths, resume, device }) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            if ((r.GetResult(config) is null) == (r.GetResult(resume) is null)) r.AddError("give exactly one of --config or --resume");
        });
        command.SetAction(r => CliErrors.Run(() =>
        {
            var lengthList = r.GetValue(lengths)?.Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(t => long.TryParse(t, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 1
                    ? v : throw new ArgumentException($"--lengths: '{t}' is not a length (iterations > 1)"))
                .ToArray();
            PretrainJob.Run(new PretrainRequest(r.GetValue(config), r.GetValue(set) ?? [], r.GetValue(output), lengthList, r.GetValue(resume)) { Device = r.GetValue(device)! }, Console.Out);
        }));
        return command;
    }
}
