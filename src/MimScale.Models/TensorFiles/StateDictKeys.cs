using static TorchSharp.torch;

namespace MimScale.Models.TensorFiles;

/// <summary>What <see cref="StateDictKeys.NormalizeOfficialKeys{T}"/> changed or found.</summary>
/// <param name="ModulePrefixStripped">How many keys lost a leading <c>module.</c> (DistributedDataParallel wrapper).</param>
/// <param name="Renamed">Old to new name for the <c>rpe_mlp</c> to <c>cpb_mlp</c> rename (released data-scaling checkpoints).</param>
/// <param name="RebuiltBuffers">
/// Names (after normalisation) of the buffers a loader rebuilds from the configuration and does not trust from a file:
/// <c>*.relative_coords_table</c>, <c>*.relative_position_index</c>, <c>*.attn_mask</c>.
/// </param>
public sealed record KeyNormalization(int ModulePrefixStripped, IReadOnlyList<(string From, string To)> Renamed, IReadOnlyList<string> RebuiltBuffers)
{
    public override string ToString() =>
        $"stripped 'module.' from {ModulePrefixStripped} keys; renamed {Renamed.Count} rpe_mlp keys to cpb_mlp; " +
        $"{RebuiltBuffers.Count} rebuilt buffers (relative_coords_table, relative_position_index, attn_mask)";
}

/// <summary>
/// Pure functions over state-dict key names implementing the official import rules
/// (Swin-Transformer <c>utils_simmim.py</c> load_pretrained, SPEC §2.6 and §7): strip <c>module.</c>, rename
/// <c>rpe_mlp</c> to <c>cpb_mlp</c>, optionally keep only the SimMIM <c>encoder.*</c> keys, and single out the buffers
/// that are rebuilt rather than loaded. Generic over the value so they work on tensors and on shapes alike.
/// </summary>
public static class StateDictKeys
{
    /// <summary>Prefix of the SimMIM encoder's keys.</summary>
    public const string EncoderPrefix = "encoder.";

    const string ModulePrefix = "module.";
    static readonly string[] RebuiltSuffixes = { ".relative_coords_table", ".relative_position_index", ".attn_mask" };

    /// <summary>True for a buffer the model rebuilds from its configuration ("rebuilt, not trusted").</summary>
    public static bool IsRebuiltBuffer(string key) =>
        key == "attn_mask" || RebuiltSuffixes.Any(s => key.EndsWith(s, StringComparison.Ordinal));

    /// <summary>
    /// Strips a leading <c>module.</c>, renames <c>.rpe_mlp.</c> to <c>.cpb_mlp.</c>, keeps <c>encoder.</c>/<c>decoder.</c>
    /// prefixes and all entries (rebuilt buffers are only listed in <paramref name="report"/>). Order is kept.
    /// </summary>
    /// <exception cref="ArgumentException">Two keys become the same name.</exception>
    public static IReadOnlyDictionary<string, T> NormalizeOfficialKeys<T>(IReadOnlyDictionary<string, T> stateDict, out KeyNormalization report)
    {
        var result = new OrderedDictionary<string, T>();
        var renamed = new List<(string, string)>();
        var rebuilt = new List<string>();
        int stripped = 0;
        foreach (var (key, value) in stateDict)
        {
            string name = key;
            if (name.StartsWith(ModulePrefix, StringComparison.Ordinal)) { name = name[ModulePrefix.Length..]; stripped++; }
            string renamedName = RenameRpeMlp(name);
            if (renamedName != name) { renamed.Add((name, renamedName)); name = renamedName; }
            if (!result.TryAdd(name, value))
                throw new ArgumentException($"state dict keys '{key}' and another key both normalise to '{name}'", nameof(stateDict));
            if (IsRebuiltBuffer(name)) rebuilt.Add(name);
        }
        report = new KeyNormalization(stripped, renamed, rebuilt);
        return result;
    }

    /// <summary>True when any key starts with <c>encoder.</c> (a SimMIM pre-training checkpoint).</summary>
    public static bool HasEncoderPrefix<T>(IReadOnlyDictionary<string, T> stateDict) =>
        stateDict.Keys.Any(k => k.StartsWith(EncoderPrefix, StringComparison.Ordinal));

    /// <summary>
    /// Keeps only the <c>encoder.*</c> entries, without the prefix, to load a SimMIM checkpoint into a bare SwinV2
    /// encoder or classifier; everything else (<c>decoder.*</c>) is listed in <paramref name="dropped"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, T> StripEncoderPrefix<T>(IReadOnlyDictionary<string, T> stateDict, out IReadOnlyList<string> dropped)
    {
        var result = new OrderedDictionary<string, T>();
        var rest = new List<string>();
        foreach (var (key, value) in stateDict)
        {
            if (key.StartsWith(EncoderPrefix, StringComparison.Ordinal)) result[key[EncoderPrefix.Length..]] = value;
            else rest.Add(key);
        }
        dropped = rest;
        return result;
    }

    /// <inheritdoc cref="StripEncoderPrefix{T}(IReadOnlyDictionary{string, T}, out IReadOnlyList{string})"/>
    public static IReadOnlyDictionary<string, T> StripEncoderPrefix<T>(IReadOnlyDictionary<string, T> stateDict) =>
        StripEncoderPrefix(stateDict, out _);

    /// <summary>The entries that are not rebuilt buffers (what a loader copies into the model), in order.</summary>
    public static IReadOnlyDictionary<string, T> WithoutRebuiltBuffers<T>(IReadOnlyDictionary<string, T> stateDict, out IReadOnlyList<string> dropped)
    {
        var result = new OrderedDictionary<string, T>();
        var rest = new List<string>();
        foreach (var (key, value) in stateDict)
            if (IsRebuiltBuffer(key)) rest.Add(key);
            else result[key] = value;
        dropped = rest;
        return result;
    }

    /// <summary>Shape of every tensor, in order.</summary>
    public static IReadOnlyDictionary<string, long[]> Shapes(IReadOnlyDictionary<string, Tensor> stateDict)
    {
        var result = new OrderedDictionary<string, long[]>();
        foreach (var (key, t) in stateDict) result[key] = t.shape;
        return result;
    }

    /// <summary>Compares a model's expected names and shapes with a checkpoint's tensors.</summary>
    public static KeyReport CompareKeys(IReadOnlyDictionary<string, long[]> expected, IReadOnlyDictionary<string, Tensor> actual) =>
        CompareKeys(expected, Shapes(actual));

    /// <summary>Compares a model's expected names and shapes with a checkpoint's names and shapes.</summary>
    public static KeyReport CompareKeys(IReadOnlyDictionary<string, long[]> expected, IReadOnlyDictionary<string, long[]> actual)
    {
        var missing = new List<string>();
        var mismatches = new List<ShapeMismatch>();
        foreach (var (key, shape) in expected)
        {
            if (!actual.TryGetValue(key, out var got)) missing.Add(key);
            else if (!shape.SequenceEqual(got)) mismatches.Add(new ShapeMismatch(key, shape, got));
        }
        var unexpected = actual.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        return new KeyReport(missing, unexpected, mismatches);
    }

    static string RenameRpeMlp(string key)
    {
        const string Old = "rpe_mlp", New = "cpb_mlp";
        // Whole dotted segments only, so a name merely containing the letters is left alone.
        var parts = key.Split('.');
        bool changed = false;
        for (int i = 0; i < parts.Length; i++)
            if (parts[i] == Old) { parts[i] = New; changed = true; }
        return changed ? string.Join('.', parts) : key;
    }
}
