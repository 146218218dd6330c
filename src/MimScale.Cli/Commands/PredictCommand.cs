using System.CommandLine;
using MimScale.Models.Config;
using MimScale.Training.Inference;

namespace MimScale.Cli.Commands;

/// <summary>`mimscale predict --model MODEL.json --checkpoint FILE --images DIR --output OUT.csv` (fixed interface).</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "MODEL.json with the official SwinTransformerV2 constructor arguments", Required = true };
        var checkpoint = new Option<string>("--checkpoint") { Description = ".pth (plain or {'model': ...}) or .safetensors", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of PNG/JPEG images (ordinal file-name order)", Required = true };
        var output = new Option<string>("--output") { Description = "OUT.csv: image,class,logit_0..", Required = true };
        var command = new Command("predict", "Classify a folder of images with a SwinV2 checkpoint; write logits as CSV.");
        foreach (var o in new Option[] { model, checkpoint, images, output }) command.Options.Add(o);
        command.SetAction(r => CliErrors.Run(() =>
            Predictor.Run(ModelJson.ReadSwinV2(r.GetValue(model)!), r.GetValue(checkpoint)!, r.GetValue(images)!, r.GetValue(output)!, Console.Out)));
        return command;
    }
}
