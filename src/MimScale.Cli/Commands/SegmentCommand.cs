using System.CommandLine;
using MimScale.Dense.Segmentation;

namespace MimScale.Cli.Commands;

/// <summary>
/// `mimscale segment`: semantic segmentation. `segment evaluate --predictions DIR --labels DIR --classes N
/// [--reduce-zero-label] --output metrics.json` (fixed interface) computes mmseg's mIoU / aAcc / mAcc;
/// `segment train --config SEG.yaml [--set key=value ...] [--out DIR]` (or `--resume RUN`) trains UPerNet;
/// `segment predict --run RUN --images DIR --out DIR [--mode slide|whole]` writes PNG label maps.
/// </summary>
public static class SegmentCommand
{
    public static Command Create()
    {
        var command = new Command("segment", "Semantic segmentation: UPerNet training, prediction, evaluation (mIoU as mmseg computes it).");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Predict());
        command.Subcommands.Add(Evaluate());
        return command;
    }

    private static Command Train()
    {
        var config = new Option<string?>("--config") { Description = "SEG.yaml (snake_case keys of the segmentation config)" };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set pretrained=runs/pre|CKPT|scratch (repeatable)", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/<config name>)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last checkpoint" };
        var cmd = new Command("train", "Train UPerNet on a SwinV2 backbone (pre-trained or scratch) on a data set in the ADE20K layout; mIoU on its validation split.");
        foreach (var o in new Option[] { config, set, output, resume }) cmd.Options.Add(o);
        cmd.Validators.Add(r =>
        {
            if ((r.GetResult(config) is null) == (r.GetResult(resume) is null)) r.AddError("give exactly one of --config or --resume");
        });
        cmd.SetAction(r => CliErrors.Run(() =>
            SegmentationJob.Run(new SegmentationRequest(r.GetValue(config), r.GetValue(set) ?? [], r.GetValue(output), r.GetValue(resume)), Console.Out)));
        return cmd;
    }

    private static Command Predict()
    {
        var run = new Option<string>("--run") { Description = "A `segment train` run folder (its model.json and newest checkpoint)", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of images (.jpg, .jpeg, .png)", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the PNG label maps (same stems, class ids 0..N-1)", Required = true };
        var mode = new Option<string?>("--mode") { Description = "slide or whole (default: the run's test_mode)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A model.safetensors of the run instead of its newest checkpoint" };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0 = default)" };
        var cmd = new Command("predict", "Predict PNG label maps for a folder of images with a trained UPerNet (test resize, whole or sliding-window inference).");
        foreach (var o in new Option[] { run, images, output, mode, checkpoint, threads }) cmd.Options.Add(o);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var s = SegmentationPrediction.Run(r.GetValue(run)!, r.GetValue(images)!, r.GetValue(output)!, r.GetValue(mode), r.GetValue(checkpoint), r.GetValue(threads));
            Console.WriteLine($"wrote {s.Images} label maps to {s.OutDir} ({(s.Slide ? "slide" : "whole")} inference, weights {s.WeightsFile})");
        }));
        return cmd;
    }

    private static Command Evaluate()
    {
        var predictions = new Option<string>("--predictions") { Description = "Folder of predicted PNG label maps (class ids 0..N-1)", Required = true };
        var labels = new Option<string>("--labels") { Description = "Folder of ground-truth PNG label maps, same file names (255 = ignore)", Required = true };
        var classes = new Option<int>("--classes") { Description = "Number of classes N", Required = true };
        var reduce = new Option<bool>("--reduce-zero-label") { Description = "ADE20K convention for the labels: 0 is ignored, 1..N become 0..N-1" };
        var output = new Option<string>("--output") { Description = "metrics.json: mIoU, aAcc, mAcc (percent), IoU and Acc per class", Required = true };
        var cmd = new Command("evaluate", "mIoU, aAcc and mAcc of predicted label maps against ground truth (mmseg IoUMetric).");
        foreach (var o in new Option[] { predictions, labels, classes, reduce, output }) cmd.Options.Add(o);
        cmd.SetAction(r => CliErrors.Run(() =>
            Console.WriteLine(SegmentationEvaluator.Run(r.GetValue(predictions)!, r.GetValue(labels)!, r.GetValue(classes),
                r.GetValue(reduce), r.GetValue(output)!).Summary())));
        return cmd;
    }
}
