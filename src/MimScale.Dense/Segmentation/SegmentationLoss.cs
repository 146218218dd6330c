using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// mmseg's decode-head loss (BaseDecodeHead.loss_by_feat + CrossEntropyLoss): the logits are resized bilinearly
/// (align_corners=False) to the label size, then per-pixel cross-entropy with ignore_index 255. With mmseg's default
/// <c>avg_non_ignore=False</c> (the UPerNet configs keep it) the mean is over ALL pixels, ignored ones counting 0
/// (mmseg/models/losses/cross_entropy_loss.py: weight_reduce_loss with no avg_factor); with
/// <c>avgNonIgnore</c> it is over the non-ignored pixels, as PyTorch's own cross_entropy.
/// </summary>
public static class SegmentationLoss
{
    /// <param name="logits">(B, K, h, w) at any stride.</param>
    /// <param name="labels">(B, H, W) int64 class ids, 255 = ignore.</param>
    /// <param name="avgNonIgnore">Average over the non-ignored pixels only (mmseg avg_non_ignore).</param>
    /// <returns>A scalar.</returns>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels, bool avgNonIgnore = false)
    {
        using var scope = NewDisposeScope();
        var up = UPerHead.ResizeTo(logits, labels.shape[1], labels.shape[2]);                     // (B, K, H, W)
        var perPixel = nn.functional.cross_entropy(up, labels, ignore_index: LabelMap.Ignore, reduction: nn.Reduction.None);   // (B, H, W)
        Tensor loss;
        if (!avgNonIgnore) loss = perPixel.mean();
        else
        {
            // All ignored gives 0/0 in PyTorch (NaN); keep mmseg's avg_factor rule but avoid the NaN: 0 when nothing counts.
            long valid = labels.ne(LabelMap.Ignore).sum().item<long>();
            loss = valid == 0 ? perPixel.sum() : perPixel.sum().Over(valid);
        }
        return loss.MoveToOuterDisposeScope();
    }
}
