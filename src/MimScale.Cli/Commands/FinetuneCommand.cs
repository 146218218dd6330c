using System.CommandLine;
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
        var device = DeviceOption.Create();
        foreach (var o in new Option[] { config, set, output, resume, device }) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            if ((r.GetResult(config) is null) == (r.GetResult(resume) is null)) r.AddError("give exactly one of --config or --resume");
        });
        command.SetAction(r => CliErrors.Run(() =>
            FinetuneJob.Run(new FinetuneRequest(r.GetValue(config), r.GetValue(set) ?? [], r.GetValue(output), r.GetValue(resume)) { Device = r.GetValue(device)! }, Console.Out)));
        return command;
    }
}
