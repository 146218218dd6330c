using MimScale.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Detection.Model;

/// <summary>
/// mmdet's <c>FPN</c> neck (mmdet/models/necks/fpn.py) as Mask R-CNN configures it (configs/_base_/models/mask-rcnn_r50_fpn.py:
/// out_channels 256, num_outs 5, start_level 0, add_extra_convs False, no norm, upsample nearest): a 1x1 lateral conv
/// per input, a top-down pass <c>lat[i-1] += interpolate(lat[i], size=lat[i-1].shape, nearest)</c>, a 3x3 output conv
/// per level, and each extra level a <c>max_pool2d(kernel 1, stride 2)</c> of the last output (P6 from P5).
/// </summary>
public sealed class Fpn : Module<Tensor[], Tensor[]>
{
    private readonly ModuleList<ConvModule> lateral_convs;
    private readonly ModuleList<ConvModule> fpn_convs;
    private readonly int numOuts;

    /// <param name="inChannels">Channels of each backbone map, finest first.</param>
    /// <param name="outChannels">Channels of every output level (mmdet 256).</param>
    /// <param name="numOuts">Output levels: the inputs plus max-pooled extras (mmdet 5 = 4 + P6).</param>
    /// <param name="generator">Draws of the Xavier initialisation.</param>
    public Fpn(int[] inChannels, int outChannels, int numOuts, Generator? generator = null) : base(nameof(Fpn))
    {
        if (inChannels is not { Length: > 0 }) throw new ArgumentException("the FPN needs at least one input level");
        if (numOuts < inChannels.Length) throw new ArgumentException($"num_outs ({numOuts}) must be >= the input levels ({inChannels.Length})");
        this.numOuts = numOuts;
        lateral_convs = new ModuleList<ConvModule>();
        fpn_convs = new ModuleList<ConvModule>();
        foreach (int c in inChannels)
        {
            lateral_convs.Add(new ConvModule(c, outChannels, 1, relu: false));
            fpn_convs.Add(new ConvModule(outChannels, outChannels, 3, relu: false));
        }
        RegisterComponents();
        // FPN init_cfg: Xavier (uniform) on every Conv2d, bias 0.
        foreach (var m in lateral_convs.Concat(fpn_convs))
        {
            DetectionInit.XavierUniform(m.Conv.weight!, generator);
            DetectionInit.Zero(m.Conv.bias);
        }
    }

    /// <summary>Output levels.</summary>
    public int NumOuts => numOuts;

    /// <param name="inputs">Backbone maps (B, C_i, H_i, W_i), finest first.</param>
    /// <returns><see cref="NumOuts"/> maps (B, out, H_l, W_l); the extras halve the last size (ceil).</returns>
    public override Tensor[] forward(Tensor[] inputs)
    {
        if (inputs.Length != lateral_convs.Count)
            throw new ArgumentException($"the FPN was built for {lateral_convs.Count} input levels, got {inputs.Length}");
        using var scope = NewDisposeScope();
        var laterals = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) laterals[i] = lateral_convs[i].forward(inputs[i]);
        for (int i = inputs.Length - 1; i > 0; i--)
        {
            var size = new[] { laterals[i - 1].shape[2], laterals[i - 1].shape[3] };
            var up = functional.interpolate(laterals[i], size, mode: InterpolationMode.Nearest);
            laterals[i - 1] = laterals[i - 1].Plus(up);
        }
        var outs = new List<Tensor>();
        for (int i = 0; i < inputs.Length; i++) outs.Add(fpn_convs[i].forward(laterals[i]));
        while (outs.Count < numOuts) outs.Add(functional.max_pool2d(outs[^1], 1, stride: 2));
        foreach (var o in outs) o.MoveToOuterDisposeScope();
        return outs.ToArray();
    }
}
