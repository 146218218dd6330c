using MimScale.Dense.Coco;
using MimScale.Dense.Detection.Training;
using MimScale.Dense.Segmentation;
using MimScale.Study.Planning;
using MimScale.Study.Spec;

namespace MimScale.Study.Execution;

/// <summary>
/// The dense downstream tasks of a study cell (the paper's ADE20K and COCO columns of Tables 5-7), on the cell's final
/// pre-trained encoder: <c>segmentation</c> fine-tunes UPerNet, <c>detection</c> fine-tunes Mask R-CNN, each on a
/// scenes folder (<see cref="DenseRecipes"/>) in its own run folder under the cell (<c>CELL/segmentation</c>,
/// <c>CELL/detection</c>). Those are ordinary `segment train` / `detect train` folders: claimed while in use, resumed
/// exactly after a kill, and a finished one returns its stored result without training again; the study store
/// records the metrics only once this returns.
/// Metrics (percent, as mmseg and pycocotools print them): <c>segmentation_miou</c>, <c>_aacc</c>, <c>_macc</c>
/// (mmseg IoUMetric's mIoU, aAcc, mAcc on the validation scenes); <c>detection_box_ap</c>, <c>_box_ap50</c>,
/// <c>_box_ap75</c>, <c>detection_mask_ap</c>, <c>_mask_ap50</c>, <c>_mask_ap75</c> (COCOeval stats[0..2] of bbox and segm).
/// </summary>
public static class DenseEvaluations
{
    /// <summary>UPerNet from <paramref name="checkpoint"/> on the recipe's scenes; mIoU, aAcc, mAcc.</summary>
    public static IReadOnlyDictionary<string, double> Segmentation(CellPlan cell, RecipeMap recipe, string checkpoint, string cellDir,
        TextWriter log, CancellationToken ct)
    {
        var config = DenseRecipes.Segmentation(cell.Model, cell.Seed, checkpoint, recipe);
        string root = config.DataRoot;
        DenseRecipes.RequireScenes("segmentation", root, Path.Combine(root, "images", "training"), Path.Combine(root, "annotations", "training"),
            Path.Combine(root, "images", "validation"), Path.Combine(root, "annotations", "validation"));
        var result = SegmentationJob.Run(config, Path.Combine(cellDir, "segmentation"), log, ct);
        var m = result.Metrics ?? throw new InvalidOperationException($"{result.RunDir}: the segmentation run ended without an evaluation");
        var metrics = new Dictionary<string, double>();
        Add(metrics, "segmentation_miou", m.MIoU);
        Add(metrics, "segmentation_aacc", m.AAcc);
        Add(metrics, "segmentation_macc", m.MAcc);
        if (!metrics.ContainsKey("segmentation_miou"))
            throw new InvalidOperationException($"{result.RunDir}: no class has an IoU on the {m.Images} validation images (no labelled pixel)");
        return metrics;
    }

    /// <summary>Mask R-CNN from <paramref name="checkpoint"/> on the recipe's scenes; box and mask AP, AP50, AP75.</summary>
    public static IReadOnlyDictionary<string, double> Detection(CellPlan cell, RecipeMap recipe, string checkpoint, string cellDir,
        TextWriter log, CancellationToken ct)
    {
        var config = DenseRecipes.Detection(cell.Model, cell.Seed, checkpoint, recipe);
        var (trainAnn, trainImg, valAnn, valImg) = config.DataPaths();
        DenseRecipes.RequireScenes("detection", config.DataRoot!, trainAnn, trainImg, valAnn, valImg);
        var result = DetectionJob.Run(config, Path.Combine(cellDir, "detection"), log, ct);
        var metrics = new Dictionary<string, double>();
        AddCoco(metrics, "detection_box", result.Box);
        AddCoco(metrics, "detection_mask", result.Mask);
        if (!metrics.ContainsKey("detection_box_ap"))
            throw new InvalidOperationException($"{result.RunDir}: the detection run reported no box AP (no validation instance?)");
        return metrics;
    }

    static void Add(Dictionary<string, double> metrics, string name, double? value)
    {
        if (value is double v && double.IsFinite(v)) metrics[name] = v;
    }

    // COCOeval's -1 means "no ground truth in this range" (pycocotools cocoeval.py summarize): not a number to store.
    static void AddCoco(Dictionary<string, double> metrics, string prefix, CocoStats? stats)
    {
        if (stats is null) return;
        foreach (var (key, value) in new[] { ("ap", stats.AP), ("ap50", stats.AP50), ("ap75", stats.AP75) })
            if (value >= 0) Add(metrics, $"{prefix}_{key}", 100 * value);
    }
}
