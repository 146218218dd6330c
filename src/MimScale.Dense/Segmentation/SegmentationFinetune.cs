using MimScale.Models.Zoo;
using MimScale.Training.Finetuning;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// The study's entry point for a segmentation evaluation of one encoder: fine-tune UPerNet from it on a scenes
/// folder (ADE20K layout, as `mimscale data scenes` writes it) for a fixed budget and return the validation mIoU.
/// The backbone size is read off the encoder's checkpoint (the zoo entry with its embed dim, depths and heads);
/// everything else comes from the <c>recipe</c> (default: configs/segment-scenes-*.yaml's values,
/// <see cref="ScenesRecipe"/>). The run is an ordinary segmentation run folder: killed, it resumes exactly.
/// </summary>
public static class SegmentationFinetune
{
    /// <summary>
    /// The scenes recipe of configs/segment-scenes-pico.yaml (64 px scenes, 11 classes with background, UPerNet at 64
    /// channels, no scale jitter or photometric distortion, batch 4, lr 1e-2, 2,400 iterations: the smallest measured
    /// budget that leaves the class prior; see the config's note).
    /// </summary>
    public static SegmentationConfig ScenesRecipe => new()
    {
        Model = "swinv2-nano", ImgSize = 64, WindowSize = 8, DropPathRate = 0.1, Channels = 64, AuxChannels = 32,
        NumClasses = 11, ReduceZeroLabel = false, Scale = new[] { 256, 64 }, RatioRange = new[] { 1.0, 1.0 }, Photometric = false, CropSize = 64,
        Mean = new[] { 72.93, 72.93, 72.93 }, Std = new[] { 90.02, 90.02, 90.02 },
        TestMode = "slide", TestScale = new[] { 256, 64 }, TestCrop = 64, TestStride = 43,
        Iterations = 2400, WarmupIterations = 30, BatchSize = 4, Lr = 1e-2, WeightDecay = 0.05, LayerDecay = 0.9,
        LogInterval = 100, EvalInterval = 0, CheckpointInterval = 600, Workers = 1, Threads = 1,
    };

    /// <param name="encoderSource">A pre-training run folder, a checkpoint file, or "scratch" (then the recipe's model).</param>
    /// <param name="scenesDir">Root of the scenes (images/ and annotations/).</param>
    /// <param name="iterations">The fine-tuning budget in updates.</param>
    /// <param name="runDir">The run folder (resumed if it holds a checkpoint of the same config).</param>
    /// <param name="recipe">The segmentation config on top of the scenes recipe (default: the recipe as it is).</param>
    /// <param name="log">Progress lines (default: none).</param>
    public static SegmentationMetrics Run(string encoderSource, string scenesDir, long iterations, string runDir,
        SegmentationConfig? recipe = null, TextWriter? log = null)
    {
        var r = recipe ?? ScenesRecipe;
        bool scratch = encoderSource.Equals("scratch", StringComparison.OrdinalIgnoreCase);
        string model = scratch ? r.Model : ZooNameOf(encoderSource);
        var config = r with
        {
            Model = model,
            Pretrained = scratch ? null : encoderSource,
            DataRoot = scenesDir,
            Iterations = iterations,
            WarmupIterations = Math.Min(r.WarmupIterations, iterations - 1),
        };
        var result = SegmentationJob.Run(config.Validate(), runDir, log ?? TextWriter.Null);
        return result.Metrics ?? throw new InvalidOperationException($"{runDir}: the run ended without an evaluation");
    }

    /// <summary>The zoo size whose encoder has the checkpoint's embed dim, depths and heads.</summary>
    public static string ZooNameOf(string encoderSource)
    {
        var arch = PretrainedWeights.Resolve(encoderSource).Architecture
            ?? throw new ArgumentException($"{encoderSource}: cannot read the encoder's architecture");
        var hit = ModelZoo.All.FirstOrDefault(e => e.Pretrain.Encoder.EmbedDim == arch.EmbedDim
            && e.Pretrain.Encoder.Depths.SequenceEqual(arch.Depths) && e.Pretrain.Encoder.NumHeads.SequenceEqual(arch.NumHeads));
        return hit?.Name ?? throw new ArgumentException(
            $"{encoderSource}: no zoo size has embed_dim {arch.EmbedDim}, depths [{string.Join(",", arch.Depths)}], heads [{string.Join(",", arch.NumHeads)}]");
    }
}
