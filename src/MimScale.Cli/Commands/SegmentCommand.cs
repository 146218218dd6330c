using System.CommandLine;
using MimScale.Dense.Segmentation;

namespace MimScale.Cli.Commands;

/// <summary>
/// `mimscale segment`: semantic segmentation. `segment evaluate --predictions DIR --labels DIR --classes N
/// [--reduce-zero-label] --output metrics.json` (fixed interface) computes mmseg's mIoU / aAcc / mAcc.
/// </summary>
public static class SegmentCommand
{
    public static Command Create()
    {
        var command = new Command("segment", "Semantic segmentation: evaluation (mIoU as mmseg computes it).");
        command.Subcommands.Add(Evaluate());
        return command;
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
