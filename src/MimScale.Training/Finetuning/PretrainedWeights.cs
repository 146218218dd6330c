using MimScale.Models.SwinV2;
using MimScale.Models.TensorFiles;
using MimScale.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Finetuning;

/// <summary>
/// Where fine-tuning (or a probe) starts: nothing (random init), a MimScale pre-training run folder, or a checkpoint
/// file. The pre-training encoder's architecture is read off the file's names and shapes, so the classifier gets
/// pretrained_window_sizes = the encoder's EFFECTIVE windows (SPEC §2.7: 192/w12 gives [12,12,12,6]).
/// </summary>
/// <param name="Spec">What the config named: "scratch", a run folder or a checkpoint file.</param>
/// <param name="CheckpointFile">null = from scratch.</param>
/// <param name="Architecture">The checkpoint's architecture, null from scratch.</param>
public sealed record PretrainedWeights(string Spec, string? CheckpointFile, InferredArchitecture? Architecture)
{
    public bool IsScratch => CheckpointFile is null;

    /// <summary>Effective window per stage of the checkpoint's encoder, or null (scratch, or no position buffers in the file).</summary>
    public int[]? EffectiveWindows => Architecture is { } a && a.WindowSizes.All(w => w > 0) ? a.WindowSizes.ToArray() : null;

    /// <summary>
    /// null / "scratch" -> random init; a folder with <c>checkpoints/step-*</c> -> its newest <c>model.safetensors</c>;
    /// a shared-trunk folder (with <c>len-T/</c> branches) must name the branch; a file -> that file.
    /// </summary>
    public static PretrainedWeights Resolve(string? spec)
    {
        if (spec is null || spec.Length == 0 || spec.Equals("scratch", StringComparison.OrdinalIgnoreCase))
            return new PretrainedWeights("scratch", null, null);
        string file;
        if (Directory.Exists(spec))
        {
            var latest = new CheckpointStore(spec, keep: int.MaxValue).Latest();
            if (latest is not null) file = latest.ModelFile;
            else
            {
                var branches = Directory.GetDirectories(spec, "len-*").Order().ToList();
                throw new FileNotFoundException(branches.Count > 0
                    ? $"{spec}: a shared-trunk folder; name one branch: {string.Join(", ", branches)}"
                    : $"{spec}: no checkpoints (expected {Path.Combine(spec, "checkpoints", "step-*", "model.safetensors")})");
            }
        }
        else if (File.Exists(spec)) file = spec;
        else throw new FileNotFoundException($"{spec}: pretrained weights not found (no such file or run folder)", spec);
        var arch = ArchitectureInference.FromShapes(TensorFile.LoadHeader(file).Shapes());
        return new PretrainedWeights(spec, file, arch);
    }

    /// <summary>
    /// <paramref name="options"/> with pretrained_window_sizes set from the checkpoint (unless <paramref name="explicitWindows"/>
    /// is given), after checking the checkpoint's encoder has this model's shape.
    /// </summary>
    public SwinV2Options Adapt(SwinV2Options options, int[]? explicitWindows = null)
    {
        if (explicitWindows is not null) return options with { PretrainedWindowSizes = explicitWindows };
        if (Architecture is not { } a) return options;
        if (a.EmbedDim != options.EmbedDim || !a.Depths.SequenceEqual(options.Depths) || a.PatchSize != options.PatchSize || !a.NumHeads.SequenceEqual(options.NumHeads))
            throw new ArgumentException($"{CheckpointFile}: encoder embed_dim {a.EmbedDim}, depths [{string.Join(",", a.Depths)}], heads [{string.Join(",", a.NumHeads)}], " +
                                        $"patch {a.PatchSize} does not match the model (embed_dim {options.EmbedDim}, depths [{string.Join(",", options.Depths)}], " +
                                        $"heads [{string.Join(",", options.NumHeads)}], patch {options.PatchSize})");
        var windows = EffectiveWindows ?? throw new ArgumentException(
            $"{CheckpointFile}: the file has no relative_position_index / relative_coords_table buffers, so its windows are unknown; set pretrained_window_sizes");
        return options with { PretrainedWindowSizes = windows };
    }

    /// <summary>
    /// Builds the model (classifier, or encoder when num_classes = 0) and loads the checkpoint strictly: every encoder
    /// weight must find its place; the SimMIM decoder, the mask token and the rebuilt buffers are set aside and a
    /// head that does not fit (other class count, or no head in the model) is left fresh. Returns the load report
    /// (null from scratch).
    /// </summary>
    public (SwinTransformerV2 Model, WeightLoadReport? Report) Build(SwinV2Options options, Generator? generator)
    {
        var model = new SwinTransformerV2(options.Validate(), withMaskToken: false, generator);
        if (CheckpointFile is null) return (model, null);
        var tensors = TensorFile.Read(CheckpointFile);
        try
        {
            var kept = new Dictionary<string, Tensor>();
            var headShapes = model.state_dict().Where(kv => kv.Key.StartsWith("head.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value.shape);
            foreach (var (key, t) in tensors)
            {
                string bare = key.StartsWith("module.", StringComparison.Ordinal) ? key["module.".Length..] : key;
                // A classifier checkpoint's head only loads into a head of the same shape; otherwise it is replaced.
                if (bare.StartsWith("head.", StringComparison.Ordinal) && (!headShapes.TryGetValue(bare, out var s) || !s.SequenceEqual(t.shape))) continue;
                kept[key] = t;
            }
            var report = ModelWeights.Load(model, kept, CheckpointFile, strict: true, allowNewHead: true);
            return (model, report);
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }
}
