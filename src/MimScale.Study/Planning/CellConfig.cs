using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MimScale.Models.Zoo;
using MimScale.Study.Spec;
using MimScale.Training.Pretraining;

namespace MimScale.Study.Planning;

/// <summary>
/// The resolved config of a cell as canonical JSON (keys sorted at every level, numbers in shortest round-trip form)
/// and its SHA-256. It holds everything that can change a result: MimScale version, the model's resolved
/// architecture, data source + subset + manifest hash + evaluation sources, length, seed, schedule, the pretrain
/// map, the evaluations and their recipes. Labels and descriptions are not hashed (renaming does not redo work).
/// </summary>
public static class CellConfig
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The hashed part of a cell's config.</summary>
    /// <param name="version">MimScale's version (hashed: another version trains other cells).</param>
    /// <param name="engine">The trunk's typed engine config (the pretrain map applied): the model section is what it builds and masks.</param>
    /// <param name="data">The cell's data: sources, subset and manifest hash.</param>
    /// <param name="iterations">The cell's length.</param>
    /// <param name="decayStart">The engine's branch point (decay milestone) of this length.</param>
    /// <param name="decayFactor">The engine's decay factor (decay_gamma).</param>
    /// <param name="seed">The run seed.</param>
    /// <param name="shareTrunk">Whether the length branches off a shared trunk.</param>
    /// <param name="pretrain">The spec's pretrain map as written (hashed by value).</param>
    /// <param name="evaluations">The evaluations the cell runs, in order.</param>
    /// <param name="recipes">Each evaluation's map.</param>
    /// <param name="decoder">The decoder-arm variant of an arm cell (its decoder is already in <paramref name="engine"/>):
    /// adds an <c>arm</c> entry. Null for main-grid cells, whose config (hence key) is exactly what it was before arms existed.</param>
    public static SortedDictionary<string, object?> Build(string version, PretrainConfig engine, DataPlan data, long iterations, long decayStart,
        double decayFactor, int seed, bool shareTrunk, RecipeMap pretrain, IReadOnlyList<string> evaluations, IReadOnlyDictionary<string, RecipeMap> recipes,
        DecoderVariant? decoder = null)
    {
        var config = Sorted(
            ("mimscale_version", version),
            ("model", ModelSection(engine)),
            ("data", Sorted(
                ("source", data.Source), ("val_source", data.ValSource), ("eval_source", data.EvalSource),
                ("subset", data.Variant.Kind == DataVariantKind.Fraction
                    ? Sorted(("kind", "class-balanced fraction"), ("fraction", data.Variant.Fraction))
                    : Sorted(("kind", "random classes"), ("classes", data.Variant.Classes))),
                ("subset_seed", data.SubsetSeed), ("manifest_sha256", data.ManifestHash))),
            ("iterations", iterations),
            ("seed", seed),
            ("schedule", Sorted(("shared_trunk", shareTrunk), ("decay_start", decayStart), ("decay_factor", decayFactor))),
            ("pretrain", Recipe(pretrain)),
            ("evaluations", evaluations.Prepend("val_loss").ToArray()),
            ("evaluation_recipes", Sorted(evaluations.Select(ev => (ev, (object?)Recipe(recipes[ev]))).ToArray())));
        if (decoder is not null) config["arm"] = Sorted((ArmName, MimScale.Analysis.Results.RunArms.Decoder), (ArmVariant, decoder.Label));
        return config;
    }

    /// <summary>
    /// The hashed config of a scratch reference: what can change its evaluations and nothing of pre-training (an edited
    /// <c>pretrain</c> map or data axis keeps its key and results). The model section is the encoder the evaluations
    /// build from random init (the zoo entry's fine-tuning architecture, as <c>ProbeOptions.BuildEncoder</c> and the
    /// fine-tuning and dense configs build it); <c>arm</c> marks it for <see cref="CellArm"/>.
    /// </summary>
    /// <param name="version">MimScale's version.</param>
    /// <param name="model">The zoo entry.</param>
    /// <param name="data">The evaluation sources (<see cref="DataPlan.EvalSource"/>, <see cref="DataPlan.ValSource"/>).</param>
    /// <param name="seed">The seed of the random initialisation and of every evaluation.</param>
    /// <param name="evaluations">The evaluations, in order.</param>
    /// <param name="recipes">Each evaluation's map.</param>
    public static SortedDictionary<string, object?> Scratch(string version, MimScale.Models.Zoo.ZooEntry model, DataPlan data, int seed,
        IReadOnlyList<string> evaluations, IReadOnlyDictionary<string, RecipeMap> recipes)
    {
        var e = model.Finetune;
        return Sorted(
            ("mimscale_version", version),
            ("arm", Sorted((ArmName, MimScale.Analysis.Results.RunArms.Scratch))),
            ("model", Sorted(
                ("name", model.Name), ("img_size", e.ImgSize), ("patch_size", e.PatchSize), ("in_chans", e.InChans), ("embed_dim", e.EmbedDim),
                ("depths", e.Depths), ("num_heads", e.NumHeads), ("window_size", e.WindowSize), ("mlp_ratio", e.MlpRatio))),
            ("data", Sorted(("eval_source", data.EvalSource), ("val_source", data.ValSource))),
            ("iterations", 0L),
            ("seed", seed),
            ("evaluations", evaluations.ToArray()),
            ("evaluation_recipes", Sorted(evaluations.Select(ev => (ev, (object?)Recipe(recipes[ev]))).ToArray())));
    }

    // What the engine builds and masks (the zoo entry with the pretrain map's overrides, e.g. drop_path_rate or img_size),
    // under the keys and value types the section had when it was read from the zoo entry, so cells without overrides keep their keys.
    private static SortedDictionary<string, object?> ModelSection(PretrainConfig engine)
    {
        var m = engine.ModelOptions();
        var e = m.Encoder;
        var masks = engine.Masks();
        return Sorted(
            ("name", engine.Model), ("img_size", e.ImgSize), ("patch_size", e.PatchSize), ("in_chans", e.InChans),
            ("embed_dim", e.EmbedDim), ("depths", e.Depths), ("num_heads", e.NumHeads), ("window_size", e.WindowSize),
            ("mlp_ratio", e.MlpRatio), ("drop_path_rate", e.DropPathRate), ("mask_patch_size", masks.PatchSize),
            ("mask_ratio", masks.Ratio), ("norm_target_window", m.NormTargetWindow),
            ("decoder", m.Decoder.ToString()), ("decoder_depth", m.DecoderDepth));
    }

    /// <summary>Keys of the <c>arm</c> entry of an arm cell's config.</summary>
    internal const string ArmName = "name", ArmVariant = "variant";

    /// <summary>Compact canonical JSON (what is hashed).</summary>
    public static string Canonical(object config) => JsonSerializer.Serialize(config, Compact);

    /// <summary>Indented JSON for files.</summary>
    public static string Pretty(object config) => JsonSerializer.Serialize(config, Indented);

    /// <summary>SHA-256 of the UTF-8 text, lower-case hex.</summary>
    public static string Hash(string canonicalJson) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));

    /// <summary>Recipe keys that change memory, never results: not hashed, so switching them keeps a cell's key and results.</summary>
    public static readonly IReadOnlySet<string> MemoryOnlyKeys = new HashSet<string>(StringComparer.Ordinal) { "use_checkpoint" };

    /// <summary>A recipe as a sorted JSON object of canonical texts (lists as arrays), without <see cref="MemoryOnlyKeys"/>.</summary>
    public static SortedDictionary<string, object?> Recipe(RecipeMap map)
    {
        var d = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Values)
            if (!MemoryOnlyKeys.Contains(k)) d[k] = v.IsList ? v.Items.ToArray() : v.Items[0];
        return d;
    }

    internal static SortedDictionary<string, object?> Sorted(params (string Key, object? Value)[] items)
    {
        var d = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in items) d.Add(k, v);
        return d;
    }
}
