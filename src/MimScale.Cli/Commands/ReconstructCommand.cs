using System.CommandLine;
using MimScale.Models.Config;
using MimScale.Training.Inference;

namespace MimScale.Cli.Commands;

/// <summary>
/// `mimscale reconstruct --model SIMMIM.json --checkpoint FILE --images DIR --output OUTDIR [--mask MASK.npy | --mask-seed N]`
/// (fixed interface).
/// </summary>
public static class ReconstructCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "SIMMIM.json: encoder arguments + encoder_stride, mask_patch_size, mask_ratio, norm_target_window", Required = true };
        var checkpoint = new Option<string>("--checkpoint") { Description = "SimMIM checkpoint (.pth or .safetensors)", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of PNG/JPEG images", Required = true };
        var output = new Option<string>("--output") { Description = "Output folder: summary.json and one PNG per image", Required = true };
        var mask = new Option<string?>("--mask") { Description = "int64 .npy [N, H/patch, W/patch], 1 = masked" };
        var seed = new Option<ulong>("--mask-seed") { Description = "Seed of the official mask generator (when no --mask)", DefaultValueFactory = _ => 0 };
        var command = new Command("reconstruct", "SimMIM reconstructions with the official loss (batch and per image) and panels.");
        foreach (var o in new Option[] { model, checkpoint, images, output, mask, seed }) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            if (r.GetResult(mask) is not null && r.GetResult(seed) is not null) r.AddError("give either --mask or --mask-seed, not both");
        });
        command.SetAction(r => CliErrors.Run(() =>
            Reconstructor.Run(ModelJson.ReadSimMim(r.GetValue(model)!), r.GetValue(checkpoint)!, r.GetValue(images)!,
                r.GetValue(output)!, r.GetValue(mask), r.GetValue(seed), Console.Out)));
        return command;
    }
}
