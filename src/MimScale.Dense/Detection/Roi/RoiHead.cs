using MimScale.Dense.Detection.Model;
using MimScale.Dense.Detection.Ops;
using MimScale.Dense.Detection.Rpn;
using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Detection.Roi;

/// <summary>
/// mmdet's <c>StandardRoIHead</c> with a box and a mask branch (mmdet/models/roi_heads/standard_roi_head.py), held as
/// <c>roi_head</c> with children <c>bbox_head</c> and <c>mask_head</c>.
/// Training (<see cref="Loss"/>), per image: MaxIoUAssigner (0.5 / 0.5 / 0.5) on the proposals, the ground truths
/// prepended as proposals assigned to themselves (add_gt_as_proposals), RandomSampler (512, 0.25); box features by
/// RoIAlign 7x7 from the level of each RoI; loss_cls = softmax cross-entropy averaged over the sampled RoIs
/// (background = class C); loss_bbox = L1 between the gt class's deltas and the encoded targets (stds 0.1, 0.1, 0.2,
/// 0.2) over the positives, summed and divided by the number of sampled RoIs (BBoxHead.loss avg_factor =
/// bbox_targets.size(0)); loss_mask = sigmoid BCE of the gt class's 28x28 logits against <see cref="MaskTargets"/> of the
/// positive RoIs (14x14 RoIAlign features), mean over all pixels (mask_cross_entropy).
/// Test (<see cref="Predict"/>): box head on the proposals, softmax, class-specific decoding clipped to the image,
/// <see cref="MulticlassNms"/>, then the mask head on the kept boxes.
/// </summary>
public sealed class RoiHead : Module
{
    private readonly BoxHead bbox_head;
    private readonly MaskHead mask_head;
    private readonly MultiLevelRoiExtractor boxExtractor, maskExtractor;
    private readonly MaskRcnnOptions options;

    public RoiHead(MaskRcnnOptions options, int[] roiStrides, Generator? generator = null) : base(nameof(RoiHead))
    {
        this.options = options;
        int finest = options.FinestScale ?? 14 * roiStrides[0];
        boxExtractor = new MultiLevelRoiExtractor(roiStrides, options.BoxRoiSize, options.BoxRoiSize, 0, finest);
        maskExtractor = new MultiLevelRoiExtractor(roiStrides, options.MaskRoiSize, options.MaskRoiSize, 0, finest);
        bbox_head = new BoxHead(options.FpnChannels, options.BoxRoiSize, options.FcChannels, options.NumClasses, generator);
        mask_head = new MaskHead(options.FpnChannels, options.MaskConvs, options.MaskChannels, options.NumClasses, generator);
        RegisterComponents();
    }

    /// <summary>The box branch's RoI extractor (strides, output size, finest scale).</summary>
    public MultiLevelRoiExtractor BoxExtractor => boxExtractor;

    /// <summary>Box head outputs for RoIs [K, 5]: class logits [K, C + 1] and deltas [K, 4C].</summary>
    public (Tensor Cls, Tensor Reg) BoxForward(Tensor[] feats, Tensor rois) => bbox_head.forward(boxExtractor.Forward(feats, rois));

    /// <summary>Mask logits [K, C, 28, 28] for RoIs [K, 5].</summary>
    public Tensor MaskForward(Tensor[] feats, Tensor rois) => mask_head.forward(maskExtractor.Forward(feats, rois));

    /// <summary>The three R-CNN losses (loss_cls, loss_bbox, loss_mask) of a batch.</summary>
    public (Tensor Cls, Tensor Bbox, Tensor Mask) Loss(Tensor[] feats, IReadOnlyList<Proposals> proposals, IReadOnlyList<GroundTruth> truth,
        Generator? generator)
    {
        using var scope = NewDisposeScope();
        var assigner = new MaxIouAssigner(options.RcnnPosIou, options.RcnnNegIou, options.RcnnMinPosIou);
        var sampler = new RandomSampler(options.RcnnSamples, options.RcnnPosFraction);
        var rois = new List<Tensor>(); var labels = new List<long>();
        var posRows = new List<long>(); var posTargets = new List<Tensor>();
        var maskRois = new List<Tensor>(); var maskLabels = new List<long>(); var maskTargets = new List<Tensor>();
        long row = 0;
        for (int i = 0; i < truth.Count; i++)
        {
            var gt = truth[i];
            var gtLabels = gt.Labels.data<long>().ToArray();
            var assignedProposals = assigner.Assign(proposals[i].Boxes, gt.Boxes);
            // add_gt_as_proposals: gts first, each assigned to itself (AssignResult.add_gt_).
            var boxes = cat(new[] { gt.Boxes.to_type(ScalarType.Float32), proposals[i].Boxes }, 0);
            var assigned = Enumerable.Range(1, (int)gt.Count).Concat(assignedProposals).ToArray();
            var (pos, neg) = sampler.Sample(assigned, generator);
            var order = tensor(pos.Concat(neg).ToArray(), ScalarType.Int64);
            var chosen = boxes.index_select(0, order);
            var batch = zeros(chosen.shape[0], 1).Plus(i);
            rois.Add(cat(new[] { batch, chosen }, 1));
            foreach (var j in pos) labels.Add(gtLabels[assigned[j] - 1]);
            foreach (var _ in neg) labels.Add(options.NumClasses);
            if (pos.Length > 0)
            {
                var posBoxes = boxes.index_select(0, tensor(pos, ScalarType.Int64));
                var gtIdx = tensor(pos.Select(j => (long)assigned[j] - 1).ToArray(), ScalarType.Int64);
                posTargets.Add(DeltaXywhBoxCoder.RoiHead.Encode(posBoxes, gt.Boxes.index_select(0, gtIdx)));
                for (int p = 0; p < pos.Length; p++) posRows.Add(row + p);
                maskRois.Add(cat(new[] { zeros(pos.Length, 1).Plus(i), posBoxes }, 1));
                maskLabels.AddRange(pos.Select(j => gtLabels[assigned[j] - 1]));
                maskTargets.Add(MaskTargets.Compute(posBoxes, gtIdx, gt.Masks, options.MaskSize));
            }
            row += chosen.shape[0];
        }
        var allRois = cat(rois, 0);
        var (cls, reg) = BoxForward(feats, allRois);
        var labelTensor = tensor(labels.ToArray(), ScalarType.Int64);
        var lossCls = functional.cross_entropy(cls, labelTensor);
        Tensor lossBox, lossMask;
        if (posRows.Count == 0)
        {
            lossBox = reg.sum().Times(0);
            lossMask = reg.sum().Times(0);
        }
        else
        {
            var rowsT = tensor(posRows.ToArray(), ScalarType.Int64);
            var posLabels = labelTensor.index_select(0, rowsT);
            var posReg = reg.index_select(0, rowsT).view(-1, options.NumClasses, 4);                       // [P, C, 4]
            var picked = posReg.gather(1, posLabels.view(-1, 1, 1).expand(-1, 1, 4)).squeeze(1);           // [P, 4]
            lossBox = functional.l1_loss(picked, cat(posTargets, 0), reduction: Reduction.Sum).Over(allRois.shape[0]);
            var maskLogits = MaskForward(feats, cat(maskRois, 0));                                          // [P, C, s, s]
            var ml = tensor(maskLabels.ToArray(), ScalarType.Int64);
            long s = options.MaskSize;
            var chosenLogits = maskLogits.gather(1, ml.view(-1, 1, 1, 1).expand(-1, 1, s, s)).squeeze(1); // [P, s, s]
            lossMask = functional.binary_cross_entropy_with_logits(chosenLogits, cat(maskTargets, 0));
        }
        return (lossCls.MoveToOuterDisposeScope(), lossBox.MoveToOuterDisposeScope(), lossMask.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Detections of image <paramref name="image"/>: boxes in input coordinates clipped to <paramref name="imageHw"/>,
    /// with their mask probabilities [D, 28, 28] (the gt class's sigmoid map, not yet pasted).
    /// </summary>
    public (Detections Detections, Tensor MaskProbs) Predict(Tensor[] feats, Proposals proposals, int image, (int Height, int Width) imageHw)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var rois = cat(new[] { zeros(proposals.Boxes.shape[0], 1).Plus(image), proposals.Boxes }, 1);
        var (cls, reg) = BoxForward(feats, rois);
        var scores = functional.softmax(cls, 1);
        var boxes = DeltaXywhBoxCoder.RoiHead.Decode(proposals.Boxes, reg, imageHw);                          // [K, 4C]
        var det = MulticlassNms.Apply(boxes, scores, options.ScoreThreshold, options.TestNmsIou, options.MaxPerImage);
        long d = det.Boxes.shape[0], s = options.MaskSize;
        Tensor probs;
        if (d == 0) probs = zeros(0, s, s);
        else
        {
            var logits = MaskForward(feats, cat(new[] { zeros(d, 1).Plus(image), det.Boxes }, 1));         // [D, C, s, s]
            probs = logits.gather(1, det.Labels.view(-1, 1, 1, 1).expand(-1, 1, s, s)).squeeze(1).sigmoid();
        }
        var outDet = new Detections(det.Boxes.MoveToOuterDisposeScope(), det.Scores.MoveToOuterDisposeScope(), det.Labels.MoveToOuterDisposeScope());
        return (outDet, probs.MoveToOuterDisposeScope());
    }
}
