using System.Globalization;
using MimScale.Dense.Detection.Training;
using MimScale.Dense.Segmentation;
using MimScale.Study.Spec;
using MimScale.Training.Runs;
using YamlDotNet.Serialization;

namespace MimScale.Study.Execution;

/// <summary>
/// The engine configs of a study's dense evaluations: a scenes recipe as the base, the cell's model, seed and encoder
/// set by the study, the spec's <c>segmentation:</c> / <c>detection:</c> map on top (keys of
/// <see cref="SegmentationConfig"/> / <see cref="DetectionConfig"/>, as in <c>segment train</c> / <c>detect train</c>
/// configs), read through the engines' one config convention. Built at plan time too (without an encoder), so a
/// misspelt key or an impossible value fails `study plan` naming the spec and the key.
/// <para>Data: <c>data_root</c> is required, a folder written by <c>mimscale data scenes</c> (or any folder in its
/// ADE20K / COCO layout). A study never writes its data: like the pre-training sources, the scenes are an input, made
/// once and shared by every cell; see <see cref="RequireScenes"/>.</para>
/// </summary>
public static class DenseRecipes
{
    /// <summary>The command <see cref="RequireScenes"/> names when the folder is missing (the 64-px scenes of the configs).</summary>
    public const string ScenesCommand = "mimscale data scenes --out {0} --images 500 --size 64 --split-val 100";

    /// <summary>Keys the study sets itself (per cell), refused in a dense recipe.</summary>
    static readonly string[] StudyKeys = ["model", "pretrained", "seed"];

    /// <summary>
    /// configs/detect-scenes-pico.yaml as a record (Mask R-CNN heads and budget for 64-px scenes on a 2-core CPU; the
    /// reasons are in that file): the base of a <c>detection:</c> recipe, as <see cref="SegmentationFinetune.ScenesRecipe"/>
    /// is of a <c>segmentation:</c> one. A test keeps the two equal.
    /// </summary>
    public static DetectionConfig DetectionScenes => new()
    {
        Model = "swinv2-pico", Size = 64, WindowSize = 4, DropPathRate = 0.1, FpnChannels = 64, RpnChannels = 64, FcChannels = 256,
        MaskChannels = 64, RpnSamples = 64, RcnnSamples = 64, TrainNmsPre = 600, TrainProposals = 300, TestNmsPre = 600, TestProposals = 300,
        JitterMin = 0.8, JitterMax = 1.25, Epochs = 4, MilestoneEpochs = [3], WarmupIterations = 50, BatchSize = 4, BaseLr = 1e-3,
        WeightDecay = 0.05, LogInterval = 20, KeepCheckpoints = 2, Threads = 1,
    };

    /// <summary>
    /// The UPerNet config of one cell. When the recipe sets <c>iterations</c> but not <c>warmup_iterations</c>, the
    /// warm-up is cut to iterations - 1 if longer (as <see cref="SegmentationFinetune.Run"/> does), so a short budget
    /// needs one key.
    /// </summary>
    /// <param name="model">The cell's zoo name.</param>
    /// <param name="seed">The cell's seed (the fine-tuning's data order, init and dropout).</param>
    /// <param name="encoder">The cell's pre-trained checkpoint; null at plan time.</param>
    /// <param name="recipe">The spec's segmentation recipe (keys of <see cref="SegmentationConfig"/>).</param>
    public static SegmentationConfig Segmentation(string model, int seed, string? encoder, RecipeMap recipe)
    {
        var values = Base(SegmentationConfigYaml.ToYaml(SegmentationFinetune.ScenesRecipe), model, seed, encoder, recipe);
        if (recipe.Contains("iterations") && !recipe.Contains("warmup_iterations"))
        {
            long iterations = recipe.Long("iterations", 1);
            values["warmup_iterations"] = Math.Clamp(iterations - 1, 0, SegmentationFinetune.ScenesRecipe.WarmupIterations).ToString(CultureInfo.InvariantCulture);
        }
        return recipe.ToEngineConfig(values, (v, origin) => ConfigYaml<SegmentationConfig>.FromValues(v, origin, c => c.Validate()));
    }

    /// <summary>The Mask R-CNN config of one cell (base <see cref="DetectionScenes"/>).</summary>
    /// <inheritdoc cref="Segmentation" path="/param"/>
    public static DetectionConfig Detection(string model, int seed, string? encoder, RecipeMap recipe)
    {
        var values = Base(DetectionConfigYaml.ToYaml(DetectionScenes), model, seed, encoder, recipe);
        return recipe.ToEngineConfig(values, (v, origin) => ConfigYaml<DetectionConfig>.FromValues(v, origin, c => c.Validate()));
    }

    /// <summary>
    /// Fails with an <see cref="InvalidDataException"/> naming the first of <paramref name="paths"/> that does not exist
    /// and the command that writes a scenes folder at <paramref name="dataRoot"/>.
    /// </summary>
    public static void RequireScenes(string evaluation, string dataRoot, params string[] paths)
    {
        foreach (var path in paths)
            if (!File.Exists(path) && !Directory.Exists(path))
                throw new InvalidDataException($"{evaluation}: {path} does not exist (data_root '{dataRoot}'); write the scenes with " +
                                               $"`{string.Format(CultureInfo.InvariantCulture, ScenesCommand, dataRoot)}`");
    }

    // The base record's keys (as its run.yaml would hold them), the study's per-cell keys, then the recipe.
    static Dictionary<string, object?> Base(string baseYaml, string model, int seed, string? encoder, RecipeMap recipe)
    {
        recipe.RefuseKeys(StudyKeys, "the cell's model, seed and pre-trained encoder");
        if (!recipe.Contains("data_root"))
            throw new StudySpecException(recipe.Origin, null,
                $"'data_root' is required: the scenes folder to train and test on, e.g. written by `{string.Format(CultureInfo.InvariantCulture, ScenesCommand, "data/scenes-64")}`");
        var values = new Deserializer().Deserialize<Dictionary<string, object?>>(baseYaml);
        values["model"] = model;
        values["seed"] = seed.ToString(CultureInfo.InvariantCulture);
        values["pretrained"] = encoder;
        return values;
    }
}
