using MimScale.Models.SimMim;
using MimScale.Models.SwinV2;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Models.TensorFiles;

/// <summary>What a load did: where from, which entries it set aside on purpose, and the key comparison.</summary>
/// <param name="Source">The file (or other source) the weights came from.</param>
/// <param name="Normalization">How the file's keys were mapped onto the model's.</param>
/// <param name="SetAside">File entries deliberately not loaded.</param>
/// <param name="Fresh">Model entries deliberately left at their initial values (a new classification head).</param>
/// <param name="Keys">The comparison of the file's keys and shapes with the model's.</param>
public sealed record WeightLoadReport(string Source, KeyNormalization Normalization, IReadOnlyList<string> SetAside,
    IReadOnlyList<string> Fresh, KeyReport Keys)
{
    public override string ToString() =>
        $"{Source}: {Normalization}; set aside {SetAside.Count} entries; {Fresh.Count} fresh" + (Keys.IsMatch ? "; all keys matched" : $"; {Keys}");
}

/// <summary>
/// Loads official or MimScale weights into a SwinV2 classifier/encoder or a SimMIM model, and exports them.
/// Import rules (SPEC §2.6, §5.2, §7): a leading <c>module.</c> and the old name <c>rpe_mlp</c> are accepted; a SimMIM
/// checkpoint loads into a bare SwinV2 through its <c>encoder.*</c> keys (the decoder and mask token are set aside);
/// the buffers <c>relative_coords_table</c>, <c>relative_position_index</c> and <c>attn_mask</c> are rebuilt from the
/// model's own configuration, never taken from the file, which is what lets 192/w12 weights load into a 224/w14
/// model. Strict by default: missing, unexpected and mis-shaped keys are listed by name.
/// </summary>
public static class ModelWeights
{
    /// <summary>Reads <paramref name="path"/> (.pth, wrapped .pth or .safetensors) and loads it into <paramref name="model"/>.</summary>
    /// <param name="model">The module to fill.</param>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="strict">Refuse missing, unexpected or mis-shaped keys (false: load what matches).</param>
    /// <param name="allowNewHead">Accept a missing <c>head.*</c> (fine-tuning from a pre-trained encoder: the head is new).</param>
    public static WeightLoadReport Load(nn.Module model, string path, bool strict = true, bool allowNewHead = false)
    {
        var tensors = TensorFile.Read(path);
        try { return Load(model, tensors, path, strict, allowNewHead); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    public static WeightLoadReport Load(nn.Module model, IReadOnlyDictionary<string, Tensor> stateDict, string source,
        bool strict = true, bool allowNewHead = false)
    {
        var normalized = StateDictKeys.NormalizeOfficialKeys(stateDict, out var normalization);
        var setAside = new List<string>();
        if (model is SwinTransformerV2 swin && StateDictKeys.HasEncoderPrefix(normalized))
        {
            normalized = StateDictKeys.StripEncoderPrefix(normalized, out var dropped);
            setAside.AddRange(dropped);
            if (!swin.HasMaskToken && normalized.ContainsKey("mask_token"))
            {
                normalized = normalized.Where(kv => kv.Key != "mask_token").ToDictionary(kv => kv.Key, kv => kv.Value);
                setAside.Add("encoder.mask_token");
            }
        }
        normalized = StateDictKeys.WithoutRebuiltBuffers(normalized, out var rebuilt);
        setAside.AddRange(rebuilt);

        var targets = Targets(model);
        var expected = targets.ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var report = StateDictKeys.CompareKeys(expected, StateDictKeys.Shapes(normalized));
        var fresh = allowNewHead ? report.Missing.Where(k => k.StartsWith("head.", StringComparison.Ordinal)).ToList() : new List<string>();
        if (fresh.Count > 0)
            report = new KeyReport(report.Missing.Except(fresh).ToList(), report.Unexpected, report.ShapeMismatches);
        if (strict) report.ThrowIfMismatch(source);

        using (torch.no_grad())
            foreach (var (name, value) in normalized)
                if (targets.TryGetValue(name, out var target) && target.shape.SequenceEqual(value.shape))
                    target.copy_(value.to(target.dtype, target.device));
        return new WeightLoadReport(source, normalization, setAside, fresh, report);
    }

    /// <summary>
    /// Writes the model's parameters and persistent buffers with official key names to <c>.safetensors</c>
    /// (atomically), so PyTorch users can load MimScale weights with the official code.
    /// </summary>
    public static void Export(nn.Module model, string path, IDictionary<string, string>? metadata = null)
    {
        using var scope = NewDisposeScope();
        var entries = model.state_dict().Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value.detach().cpu().contiguous()));
        SafetensorsFile.Write(path, entries.ToList(), metadata);
    }

    // Everything a checkpoint sets: parameters and persistent buffers, minus the rebuilt buffers.
    static Dictionary<string, Tensor> Targets(nn.Module model) =>
        model.state_dict().Where(kv => !StateDictKeys.IsRebuiltBuffer(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
}
