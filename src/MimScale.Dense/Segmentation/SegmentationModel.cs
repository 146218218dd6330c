using System.Text.Json;
using MimScale.Dense.Backbone;
using MimScale.Files;
using MimScale.Models.SwinV2;
using MimScale.Models.TensorFiles;
using MimScale.Training.Optim;
using MimScale.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// What a segmentation run folder needs to rebuild its model without the pre-training it started from:
/// <c>RUN/model.json</c> holds the resolved backbone (pretrained windows included), the head, the normalisation
/// and the test protocol.
/// </summary>
public sealed record SegmentationModelSpec(SwinV2Options Backbone, UPerNetOptions Head, PixelNorm Norm, InferenceSettingsJson Test)
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, IncludeFields = true };

    public static string PathIn(string runDir) => System.IO.Path.Combine(runDir, "model.json");

    public void Save(string runDir) => AtomicFile.WriteAllText(PathIn(runDir), JsonSerializer.Serialize(this, Json));

    public static SegmentationModelSpec Load(string runDir)
    {
        string path = PathIn(runDir);
        if (!File.Exists(path)) throw new FileNotFoundException($"{runDir}: not a segmentation run folder (no model.json)", path);
        try { return JsonSerializer.Deserialize<SegmentationModelSpec>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }
}

/// <summary>The test protocol in JSON-friendly form.</summary>
public sealed record InferenceSettingsJson(bool Slide, int[] Scale, int Crop, int Stride)
{
    public InferenceSettings ToSettings() => new(Slide, (Scale[0], Scale[1]), Crop, Stride);
    public static InferenceSettingsJson From(InferenceSettings s) => new(s.Slide, new[] { s.Scale.A, s.Scale.B }, s.Crop, s.Stride);
}

/// <summary>Builds UPerNet for a config (from pre-trained weights or scratch) or for a finished run folder.</summary>
public static class SegmentationModel
{
    /// <summary>The model of <paramref name="config"/>: backbone through <see cref="DenseBackbone.FromPretrained"/>, fresh heads.</summary>
    public static (UPerNet Model, WeightLoadReport? Report, SegmentationModelSpec Spec) Build(SegmentationConfig config, Generator generator)
    {
        var (backbone, report) = DenseBackbone.FromPretrained(config.BackboneOptions(), config.IsScratch ? null : config.Pretrained,
            config.PretrainedWindowSizes, generator);
        var model = new UPerNet(backbone, config.HeadOptions(), generator);
        return (model, report, new SegmentationModelSpec(backbone.Options, config.HeadOptions(), config.Norm(), InferenceSettingsJson.From(config.Inference())));
    }

    /// <summary>
    /// AdamW groups of a segmentor: layer-wise lr decay with the official layer ids read off the backbone's names
    /// (get_swin_layer: patch_embed 0, block j of stage i sum(depths[:i]) + j + 1), the heads and the backbone's new
    /// output norms in the top layer (scale 1); no weight decay on 1-D parameters (norms, BN, biases), absolute_pos_embed,
    /// cpb_mlp, logit_scale and relative_position_bias_table (<see cref="ParameterGroups.Finetuning"/>).
    /// </summary>
    public static IReadOnlyList<ParameterGroup> ParameterGroupsOf(UPerNet model, double weightDecay, double layerDecay) =>
        ParameterGroups.Finetuning(model.named_parameters()
            .Select(p => (p.name.StartsWith("backbone.", StringComparison.Ordinal) ? p.name["backbone.".Length..] : p.name, p.parameter)),
            model.Backbone.Options.Depths, weightDecay, layerDecay);

    /// <summary>
    /// The model of a run folder with the weights of <paramref name="checkpoint"/> (a model.safetensors) or, by
    /// default, of its newest checkpoint; in eval mode.
    /// </summary>
    public static (UPerNet Model, SegmentationModelSpec Spec, string WeightsFile) FromRun(string runDir, string? checkpoint = null)
    {
        var spec = SegmentationModelSpec.Load(runDir);
        string file = checkpoint ?? new CheckpointStore(runDir, int.MaxValue).Latest()?.ModelFile
            ?? throw new FileNotFoundException($"{runDir}: no checkpoints (expected {Path.Combine(runDir, "checkpoints", "step-*", "model.safetensors")})");
        var model = new UPerNet(new DenseBackbone(spec.Backbone), spec.Head, null);
        ModelWeights.Load(model, file, strict: true);
        model.eval();
        return (model, spec, file);
    }
}
