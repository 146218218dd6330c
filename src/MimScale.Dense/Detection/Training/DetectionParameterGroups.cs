using MimScale.Training.Optim;
using TorchSharp.Modules;

namespace MimScale.Dense.Detection.Training;

/// <summary>
/// mmdet's Swin Mask R-CNN parameter groups (configs/swin/mask-rcnn_swin-t-p4-w7_fpn_*.py paramwise_cfg custom_keys):
/// weight decay 0 for every parameter whose name contains <c>absolute_pos_embed</c>, <c>relative_position_bias_table</c>
/// or <c>norm</c> (every LayerNorm, the output norms norm0..3 included), plus SwinV2's own position-bias and scale
/// parameters (<c>cpb_mlp</c>, <c>logit_scale</c>, the V2 counterparts of the bias table, as fine-tuning treats them);
/// everything else, biases included (mmdet sets no bias_decay_mult), decays. One learning rate, no layer decay.
/// </summary>
public static class DetectionParameterGroups
{
    static readonly string[] NoDecayKeys = { "absolute_pos_embed", "relative_position_bias_table", "norm", "cpb_mlp", "logit_scale" };

    /// <summary>The two groups (decay, no_decay), lr scale 1.</summary>
    public static IReadOnlyList<ParameterGroup> Build(IEnumerable<(string Name, Parameter Parameter)> named, double weightDecay)
    {
        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        foreach (var (name, p) in named)
        {
            if (!p.requires_grad) continue;
            (IsNoDecay(name) ? noDecay : decay).Add((name, p));
        }
        return new[] { new ParameterGroup("decay", weightDecay, 1.0, decay), new ParameterGroup("no_decay", 0.0, 1.0, noDecay) };
    }

    /// <summary>True when <paramref name="name"/> gets no weight decay.</summary>
    public static bool IsNoDecay(string name) => NoDecayKeys.Any(k => name.Contains(k, StringComparison.Ordinal));
}
