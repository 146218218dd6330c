using System.CommandLine;
using MimScale.Dense.Coco;
using MimScale.Dense.Detection.Training;

namespace MimScale.Cli.Commands;

/// <summary>
/// `mimscale detect`: detection and instance segmentation downstream. `train` fits Mask R-CNN on a SwinV2 backbone
/// (`detect train --config DETECT.yaml [--set k=v ...] [--out DIR]` or `--resume DIR`), `predict` writes a run's COCO
/// results for a COCO file's images, `evaluate` is COCO box/mask AP
/// (fixed interface: `detect evaluate --annotations GT.json --results DT.json --iou-type bbox|segm --output stats.json`).
/// </summary>
public static class DetectCommand
{
    public static Command Create()
    {
        var command = new Command("detect", "Detection and instance segmentation (COCO format, COCO box and mask AP).");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Predict());
        command.Subcommands.Add(Evaluate());
        return command;
    }

    private static Command Train()
    {
        var config = new Option<string?>("--config") { Description = "DETECT.yaml (snake_case keys of the detection config)" };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set pretrained=runs/pre (repeatable)", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/<config name>)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last checkpoint" };
        var command = new Command("train", "Train Mask R-CNN (FPN, RPN, box and mask heads) on a SwinV2 backbone, pre-trained or from scratch; box and mask AP on the validation set.");
        foreach (var o in new Option[] { config, set, output, resume }) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            if ((r.GetResult(config) is null) == (r.GetResult(resume) is null)) r.AddError("give exactly one of --config or --resume");
        });
        command.SetAction(r => CliErrors.Run(() =>
            DetectionJob.Run(new DetectionRequest(r.GetValue(config), r.GetValue(set) ?? [], r.GetValue(output), r.GetValue(resume)), Console.Out)));
        return command;
    }

    private static Command Predict()
    {
        var run = new Option<string>("--run") { Description = "A `detect train` run folder (its newest checkpoint is used)", Required = true };
        var annotations = new Option<string>("--annotations") { Description = "COCO instances JSON listing the images (same categories as training)", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of the images (file_name of each entry)", Required = true };
        var output = new Option<string>("--output") { Description = "COCO results JSON to write (bbox + compressed-RLE segmentation)", Required = true };
        var command = new Command("predict", "Detect and segment the images of a COCO file with a trained run; writes COCO results for `detect evaluate`.");
        foreach (var o in new Option[] { run, annotations, images, output }) command.Options.Add(o);
        command.SetAction(r => CliErrors.Run(() => DetectionPredictor.Run(r.GetValue(run)!, r.GetValue(annotations)!, r.GetValue(images)!,
            r.GetValue(output)!, Console.Out)));
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
