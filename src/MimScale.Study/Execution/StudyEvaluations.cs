using MimScale.Study.Planning;
using MimScale.Study.Spec;
using MimScale.Training.Evaluation;
using MimScale.Training.Finetuning;
using MimScale.Training.Runs;

namespace MimScale.Study.Execution;

/// <summary>
/// The downstream evaluations of a study cell on its final pre-trained encoder (the newest checkpoint in the cell's
/// folder), trained on the data's evaluation source and tested on its validation source:
/// <c>knn</c> (recipe keys k, temperature, train_fraction, val_images, eval_crop_ratio), <c>linear_probe</c> (steps, lr,
/// train_fraction, val_images, eval_crop_ratio) and <c>finetune</c> (any fine-tuning config key, passed through like the pre-training recipe).
/// Metrics are percentages named <c>{evaluation}_top1</c>, <c>_top5</c>, <c>_mean_per_class</c>.
/// The dense tasks <c>segmentation</c> and <c>detection</c> train on a scenes folder instead (<see cref="DenseEvaluations"/>).
/// </summary>
public static class StudyEvaluations
{
    /// <summary>
    /// Runs <paramref name="evaluation"/> of <paramref name="cell"/>: on the newest checkpoint in <paramref name="cellDir"/>,
    /// or, for a scratch reference (<see cref="CellPlan.Scratch"/>), on "scratch", which every evaluation engine reads as a
    /// random initialisation seeded with the cell's seed (the probes' <c>ProbeOptions.Seed</c>, the fine-tuning and dense
    /// runs' <c>seed</c>): the same code and recipe as a pre-trained cell, deterministic on a rerun.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Run(CellPlan cell, string evaluation, string cellDir, IProgress<string> progress, CancellationToken ct)
    {
        var checkpoint = cell.Scratch ? "scratch" : new CheckpointStore(cellDir, 1).Latest()?.ModelFile
                         ?? throw new InvalidOperationException($"{cellDir}: no pre-trained checkpoint to evaluate");
        var recipe = cell.EvaluationRecipes.TryGetValue(evaluation, out var r) ? r : RecipeMap.Empty(evaluation);
        using var log = new ProgressWriter(progress);
        CheckRecipe(cell.Model, evaluation, recipe);
        if (evaluation == "segmentation") return DenseEvaluations.Segmentation(cell, recipe, checkpoint, cellDir, log, ct);
        if (evaluation == "detection") return DenseEvaluations.Detection(cell, recipe, checkpoint, cellDir, log, ct);
        var probe = new ProbeOptions
        {
            Model = cell.Model, TrainSource = cell.Data.EvalSource, ValSource = cell.Data.ValSource,
            TrainFraction = recipe.Double("train_fraction", 0.1), ValImages = recipe.Int("val_images", 2000), Seed = (ulong)cell.Seed,
            EvalCropRatio = recipe.Double("eval_crop_ratio", 0.875),
            ValManifestPath = Path.Combine(cellDir, $"{evaluation}-{TrainingSources.ValManifestFile}"),
        };
        switch (evaluation)
        {
            case "knn":
                var knn = KnnEval.Run(checkpoint, probe, new KnnOptions { K = recipe.Int("k", 20), Temperature = recipe.Double("temperature", 0.07) }, log);
                return Percentages("knn", knn.Accuracy);
            case "linear_probe":
                var lp = LinearProbe.Run(checkpoint, probe, new LinearProbeOptions { Steps = recipe.Int("steps", 500), Lr = recipe.Double("lr", 0.05) }, log);
                return Percentages("linear_probe", lp.Val);
            case "finetune":
                var config = FinetuneConfigFor(cell.Model, checkpoint, cell.Data.EvalSource, cell.Data.ValSource, cell.Seed, recipe);
                var result = new FinetuneRun(config, Path.Combine(cellDir, "finetune"), log).Execute(ct);
                var metrics = new Dictionary<string, double> { ["finetune_top1"] = 100 * result.BestTop1 };
                if (result.Last is { } last)
                {
                    metrics["finetune_last_top1"] = 100 * last.Top1;
                    metrics["finetune_top5"] = 100 * last.Top5;
                    metrics["finetune_mean_per_class"] = 100 * last.MeanPerClass;
                }
                return metrics;
            default:
                throw new NotSupportedException($"unknown evaluation '{evaluation}' ({string.Join(", ", StudySpec.KnownEvaluations)})");
        }
    }

    /// <summary>
    /// The fine-tuning engine config of a cell: model, starting checkpoint, sources and seed from the plan, the spec's
    /// <c>finetune</c> recipe on top, read through the engine's one config convention (as <see cref="TrunkConfig"/> does
    /// for pre-training). A bad key or value throws <see cref="StudySpecException"/> naming the recipe and the key.
    /// </summary>
    public static FinetuneConfig FinetuneConfigFor(string model, string checkpoint, string source, string valSource, int seed, RecipeMap recipe)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["model"] = model, ["pretrained"] = checkpoint, ["source"] = source, ["val_source"] = valSource,
            ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        recipe.RefuseKeys(values.Keys, "models, the cell's checkpoint, data, seeds");
        return recipe.ToEngineConfig(values, FinetuneConfigYaml.FromValues);
    }

    /// <summary>
    /// Checks an evaluation's recipe without running anything (at plan time, for every model of the study): the probes'
    /// keys, the fine-tuning config (<see cref="FinetuneConfigFor"/>, with a placeholder checkpoint) and the dense tasks'
    /// whole engine config (<see cref="DenseRecipes"/>). Throws <see cref="StudySpecException"/> naming the recipe and the key.
    /// </summary>
    public static void CheckRecipe(string model, string evaluation, RecipeMap recipe)
    {
        switch (evaluation)
        {
            case "knn": recipe.RequireKnownKeys(["k", "temperature", "train_fraction", "val_images", "eval_crop_ratio"]); break;
            case "linear_probe": recipe.RequireKnownKeys(["steps", "lr", "train_fraction", "val_images", "eval_crop_ratio"]); break;
            case "finetune": FinetuneConfigFor(model, "CELL/checkpoints/model.safetensors", "SOURCE", "VAL_SOURCE", 0, recipe); break;
            case "segmentation": DenseRecipes.Segmentation(model, 0, null, recipe); break;
            case "detection": DenseRecipes.Detection(model, 0, null, recipe); break;
        }
    }

    static Dictionary<string, double> Percentages(string name, ClassificationResult r) => new()
    {
        [$"{name}_top1"] = 100 * r.Top1,
        [$"{name}_top5"] = 100 * r.Top5,
        [$"{name}_mean_per_class"] = 100 * r.MeanPerClass,
    };
}
