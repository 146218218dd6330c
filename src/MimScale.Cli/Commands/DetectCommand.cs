using System.CommandLine;
using MimScale.Dense.Coco;

namespace MimScale.Cli.Commands;

/// <summary>
/// `mimscale detect`: detection and instance segmentation downstream. `evaluate` is COCO box/mask AP
/// (fixed interface: `detect evaluate --annotations GT.json --results DT.json --iou-type bbox|segm --output stats.json`).
/// </summary>
public static class DetectCommand
{
    public static Command Create()
    {
        var command = new Command("detect", "Detection and instance segmentation (COCO format, COCO box and mask AP).");
        command.Subcommands.Add(Evaluate());
        return command;
    }

    private static Command Evaluate()
    {
        var annotations = new Option<string>("--annotations") { Description = "COCO instances JSON (ground truth)", Required = true };
        var results = new Option<string>("--results") { Description = "COCO results JSON: [{image_id, category_id, bbox|segmentation, score}, ...]", Required = true };
        var iouType = new Option<string>("--iou-type") { Description = "bbox (box AP) or segm (mask AP)", Required = true };
        iouType.AcceptOnlyFromAmong("bbox", "segm");
        var output = new Option<string>("--output") { Description = "stats.json: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl (fractions)", Required = true };
        var command = new Command("evaluate", "COCO AP exactly as pycocotools' COCOeval; prints its 12 summary lines and writes them as JSON.");
        foreach (var o in new Option[] { annotations, results, iouType, output }) command.Options.Add(o);
        command.SetAction(r => CliErrors.Run(() => CocoEvaluator.EvaluateFiles(
            r.GetValue(annotations)!, r.GetValue(results)!,
            r.GetValue(iouType) == "segm" ? CocoIouType.Segm : CocoIouType.Bbox,
            r.GetValue(output)!, Console.Out)));
        return command;
    }
}
