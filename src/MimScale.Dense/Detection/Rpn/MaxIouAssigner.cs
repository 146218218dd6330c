using System.Runtime.InteropServices;
using MimScale.Dense.Detection.Ops;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Rpn;

/// <summary>
/// mmdet's <c>MaxIoUAssigner</c> (mmdet/models/task_modules/assigners/max_iou_assigner.py, <c>assign_wrt_overlaps</c>)
/// without ignore regions (ignore_iof_thr -1) and with gt_max_assign_all True. Per box: -1 = ignored, 0 = negative,
/// g + 1 = positive for ground truth g. The rules, in mmdet's order:
/// 1. every box starts ignored;
/// 2. negative if its best IoU over the gts is in [0, neg_iou_thr);
/// 3. positive for its best gt (the first on ties, as torch.max) if that IoU is &gt;= pos_iou_thr;
/// 4. low-quality matches (match_low_quality): for each gt in order whose best IoU over the boxes is &gt;= min_pos_iou,
///    every box reaching that best IoU becomes positive for it (a later gt overrides an earlier one).
/// With no gts every box is negative. IoUs are float32 and compared in float32, as torch compares a float tensor with a
/// Python number (the threshold is rounded to float).
/// </summary>
/// <param name="PosIouThr">RPN 0.7, R-CNN 0.5.</param>
/// <param name="NegIouThr">RPN 0.3, R-CNN 0.5.</param>
/// <param name="MinPosIou">RPN 0.3, R-CNN 0.5.</param>
/// <param name="MatchLowQuality">True for both stages of Mask R-CNN.</param>
public sealed record MaxIouAssigner(double PosIouThr, double NegIouThr, double MinPosIou, bool MatchLowQuality = true)
{
    /// <summary>The RPN assigner of mmdet's Mask R-CNN: 0.7 / 0.3 / 0.3, low-quality matches.</summary>
    public static MaxIouAssigner Rpn => new(0.7, 0.3, 0.3);

    /// <summary>The R-CNN assigner of mmdet's Mask R-CNN: 0.5 / 0.5 / 0.5, low-quality matches.</summary>
    public static MaxIouAssigner Rcnn => new(0.5, 0.5, 0.5);

    /// <summary>Assigns boxes [N, 4] to ground truths [G, 4] (x1, y1, x2, y2) → one int per box (-1, 0 or g + 1).</summary>
    public int[] Assign(Tensor boxes, Tensor gts)
    {
        BoxIou.CheckBoxes(boxes, nameof(boxes));
        BoxIou.CheckBoxes(gts, nameof(gts));
        int n = checked((int)boxes.shape[0]), g = checked((int)gts.shape[0]);
        if (g == 0 || n == 0) return new int[n];   // mmdet: no gts -> all background (0)
        float[] iou;
        using (var m = BoxIou.Pairwise(gts.detach().to_type(ScalarType.Float32), boxes.detach().to_type(ScalarType.Float32)).cpu().contiguous())
            iou = MemoryMarshal.Cast<byte, float>(m.bytes).ToArray();   // [G, N] row-major
        return AssignOverlaps(iou, g, n);
    }

    /// <summary>The assignment from a [G, N] row-major float32 IoU matrix.</summary>
    public int[] AssignOverlaps(ReadOnlySpan<float> iou, int g, int n)
    {
        float pos = (float)PosIouThr, neg = (float)NegIouThr, minPos = (float)MinPosIou;
        var assigned = new int[n];
        for (int j = 0; j < n; j++)
        {
            float best = iou[j];
            int arg = 0;
            for (int i = 1; i < g; i++)
                if (iou[i * n + j] > best) { best = iou[i * n + j]; arg = i; }
            assigned[j] = -1;
            if (best >= 0 && best < neg) assigned[j] = 0;
            if (best >= pos) assigned[j] = arg + 1;
        }
        if (!MatchLowQuality) return assigned;
        for (int i = 0; i < g; i++)
        {
            var row = iou.Slice(i * n, n);
            float gtBest = row[0];
            for (int j = 1; j < n; j++) if (row[j] > gtBest) gtBest = row[j];
            if (!(gtBest >= minPos)) continue;
            for (int j = 0; j < n; j++) if (row[j] == gtBest) assigned[j] = i + 1;
        }
        return assigned;
    }
}
