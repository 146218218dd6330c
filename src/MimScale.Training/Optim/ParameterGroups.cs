using TorchSharp.Modules;

namespace MimScale.Training.Optim;

/// <summary>One optimiser group: its parameters by name, weight decay and learning-rate scale.</summary>
public sealed record ParameterGroup(string Key, double WeightDecay, double LrScale, IReadOnlyList<(string Name, Parameter Parameter)> Parameters);

/// <summary>
/// The official parameter groups (microsoft/Swin-Transformer optimizer.py), derived from parameter NAMES, SPEC §4.1
/// and §5.2. Pre-training: no weight decay for 1-D parameters, ".bias" names and the skip list; fine-tuning adds
/// layer-wise lr decay and no-decay keywords.
/// </summary>
public static class ParameterGroups
{
    /// <summary>
    /// Pre-training groups (decay, no_decay), single lr. <paramref name="officialKeywordQuirk"/> = true reproduces the
    /// official code, whose keyword skips are prefixed with "encoder." and so never match real names: cpb_mlp weights
    /// and logit_scale ((h,1,1), 3-D) are decayed. False applies the keywords anywhere in the name (as fine-tuning does).
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Pretraining(IEnumerable<(string Name, Parameter Parameter)> named,
        double weightDecay, bool officialKeywordQuirk = true)
    {
        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        foreach (var (name, p) in named)
        {
            if (!p.requires_grad) continue;
            bool skip = p.dim() == 1 || name.EndsWith(".bias", StringComparison.Ordinal)
                        || name is "encoder.absolute_pos_embed" or "encoder.mask_token" or "absolute_pos_embed" or "mask_token"
                        || (!officialKeywordQuirk && HasNoDecayKeyword(name));
            (skip ? noDecay : decay).Add((name, p));
        }
        return new[]
        {
            new ParameterGroup("decay", weightDecay, 1.0, decay),
            new ParameterGroup("no_decay", 0.0, 1.0, noDecay),
        };
    }

    /// <summary>
    /// Fine-tuning groups keyed by (layer id, decay/no_decay): lr scale = layerDecay^(num_layers + 1 - id) with the
    /// official layer-id rule (<see cref="LayerId"/>). No decay for 1-D, ".bias", absolute_pos_embed and any name
    /// containing cpb_mlp, logit_scale or relative_position_bias_table.
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Finetuning(IEnumerable<(string Name, Parameter Parameter)> named,
        int[] depths, double weightDecay, double layerDecay)
    {
        int numLayers = depths.Sum();
        var groups = new SortedDictionary<(int Id, bool NoDecay), List<(string, Parameter)>>();
        foreach (var (name, p) in named)
        {
            if (!p.requires_grad) continue;
            bool noDecay = p.dim() == 1 || name.EndsWith(".bias", StringComparison.Ordinal)
                           || name.Contains("absolute_pos_embed", StringComparison.Ordinal) || HasNoDecayKeyword(name);
            var key = (LayerId(name, depths), noDecay);
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = new List<(string, Parameter)>();
            list.Add((name, p));
        }
        return groups.Select(g => new ParameterGroup(
            $"layer_{g.Key.Id}_{(g.Key.NoDecay ? "no_decay" : "decay")}",
            g.Key.NoDecay ? 0.0 : weightDecay,
            Math.Pow(layerDecay, numLayers + 1 - g.Key.Id),
            g.Value)).ToList();
    }

    /// <summary>
    /// Official get_swin_layer: mask_token / patch_embed -> 0; layers.i.blocks.j -> sum(depths[:i]) + j + 1;
    /// layers.i.downsample -> sum(depths[:i+1]) (the id of the stage's last block); anything else -> sum(depths) + 1.
    /// An "encoder." prefix is ignored.
    /// </summary>
    public static int LayerId(string name, int[] depths)
    {
        if (name.StartsWith("encoder.", StringComparison.Ordinal)) name = name["encoder.".Length..];
        if (name == "mask_token" || name.StartsWith("patch_embed", StringComparison.Ordinal)) return 0;
        var parts = name.Split('.');
        if (parts.Length > 3 && parts[0] == "layers" && int.TryParse(parts[1], out int i))
        {
            if (parts[2] == "blocks" && int.TryParse(parts[3], out int j)) return depths.Take(i).Sum() + j + 1;
            if (parts[2] == "downsample") return depths.Take(i + 1).Sum();
        }
        return depths.Sum() + 1;
    }

    static bool HasNoDecayKeyword(string name) =>
        name.Contains("cpb_mlp", StringComparison.Ordinal) || name.Contains("logit_scale", StringComparison.Ordinal)
        || name.Contains("relative_position_bias_table", StringComparison.Ordinal);
}
