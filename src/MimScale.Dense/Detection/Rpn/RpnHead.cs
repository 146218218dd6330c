using MimScale.Dense.Detection.Model;
using MimScale.Dense.Detection.Ops;
using MimScale.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Detection.Rpn;

/// <summary>RPN outputs of one batch, flattened over levels in anchor order (level, then (y·W + x)·A + a).</summary>
/// <param name="Logits">(B, N) objectness logits.</param>
/// <param name="Deltas">(B, N, 4) box deltas.</param>
/// <param name="LevelSizes">Anchors per level (H_l·W_l·A).</param>
public sealed record RpnOutput(Tensor Logits, Tensor Deltas, long[] LevelSizes);

/// <summary>
/// mmdet's <c>RPNHead</c> (mmdet/models/dense_heads/rpn_head.py) with one shared conv: <c>rpn_conv</c> 3x3 + ReLU,
/// <c>rpn_cls</c> 1x1 to A sigmoid logits (cls_out_channels 1) and <c>rpn_reg</c> 1x1 to 4A deltas, on every FPN level;
/// init N(0, 0.01), bias 0 (RPNHead init_cfg). The loss (<see cref="Loss"/>) is anchor_head.py's loss_by_feat with
/// MaxIoUAssigner (0.7 / 0.3 / 0.3, low-quality matches), RandomSampler (256, 0.5), sigmoid BCE on the sampled anchors
/// and L1 on the positives' deltas (RPN coder, stds 1), both summed and divided by the batch's sampled count (mmdet's
/// avg_factor = num_pos + num_neg).
/// </summary>
public sealed class RpnHead : Module<Tensor[], RpnOutput>
{
    private readonly Conv2d rpn_conv;
    private readonly Conv2d rpn_cls;
    private readonly Conv2d rpn_reg;
    private readonly int anchorsPerCell;

    public RpnHead(int inChannels, int featChannels, int anchorsPerCell, Generator? generator = null) : base(nameof(RpnHead))
    {
        this.anchorsPerCell = anchorsPerCell;
        rpn_conv = Conv2d(inChannels, featChannels, 3, padding: 1);
        rpn_cls = Conv2d(featChannels, anchorsPerCell, 1);
        rpn_reg = Conv2d(featChannels, anchorsPerCell * 4, 1);
        RegisterComponents();
        foreach (var c in new[] { rpn_conv, rpn_cls, rpn_reg })
        {
            DetectionInit.Normal(c.weight!, 0.01, generator);
            DetectionInit.Zero(c.bias);
        }
    }

    /// <param name="feats">FPN maps (B, C, H_l, W_l).</param>
    public override RpnOutput forward(Tensor[] feats)
    {
        using var scope = NewDisposeScope();
        var logits = new List<Tensor>();
        var deltas = new List<Tensor>();
        var sizes = new long[feats.Length];
        foreach (var (f, l) in feats.Select((f, l) => (f, l)))
        {
            var x = functional.relu(rpn_conv.forward(f));
            long b = f.shape[0];
            logits.Add(rpn_cls.forward(x).permute(0, 2, 3, 1).reshape(b, -1));       // (B, H·W·A)
            deltas.Add(rpn_reg.forward(x).permute(0, 2, 3, 1).reshape(b, -1, 4));    // (B, H·W·A, 4)
            sizes[l] = f.shape[2] * f.shape[3] * anchorsPerCell;
        }
        return new RpnOutput(cat(logits, 1).MoveToOuterDisposeScope(), cat(deltas, 1).MoveToOuterDisposeScope(), sizes);
    }

    /// <summary>
    /// RPN losses of a batch. anchors: [N, 4] (all levels, same order as the output); gtBoxes: per image [G, 4].
    /// Returns (loss_rpn_cls, loss_rpn_bbox) as scalars.
    /// </summary>
    public static (Tensor Cls, Tensor Bbox) Loss(RpnOutput output, Tensor anchors, IReadOnlyList<Tensor> gtBoxes,
        MaxIouAssigner assigner, RandomSampler sampler, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var coder = DeltaXywhBoxCoder.Rpn;
        var clsTerms = new List<Tensor>();
        var boxTerms = new List<Tensor>();
        long sampled = 0;
        for (int i = 0; i < gtBoxes.Count; i++)
        {
            var assigned = assigner.Assign(anchors, gtBoxes[i]);
            var (pos, neg) = sampler.Sample(assigned, generator);
            sampled += pos.Length + neg.Length;
            var idx = tensor(pos.Concat(neg).ToArray(), ScalarType.Int64);
            var target = cat(new[] { ones(pos.Length), zeros(neg.Length) });
            clsTerms.Add(functional.binary_cross_entropy_with_logits(output.Logits[i].index_select(0, idx), target, reduction: Reduction.Sum));
            if (pos.Length == 0) continue;
            var posIdx = tensor(pos, ScalarType.Int64);
            var gtIdx = tensor(pos.Select(j => (long)assigned[j] - 1).ToArray(), ScalarType.Int64);
            var targets = coder.Encode(anchors.index_select(0, posIdx), gtBoxes[i].index_select(0, gtIdx));
            boxTerms.Add(functional.l1_loss(output.Deltas[i].index_select(0, posIdx), targets, reduction: Reduction.Sum));
        }
        double avg = Math.Max(sampled, 1);
        var cls = stack(clsTerms).sum().Over(avg);
        var box = boxTerms.Count == 0 ? output.Deltas.sum().Times(0) : stack(boxTerms).sum().Over(avg);
        return (cls.MoveToOuterDisposeScope(), box.MoveToOuterDisposeScope());
    }
}
