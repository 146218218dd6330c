using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Finetuning;

/// <summary>
/// The fine-tuning criteria of the official code (main_simmim_ft.py, timm 0.4.12 loss/cross_entropy.py), SPEC §5.1:
/// soft-target cross-entropy whenever Mixup/CutMix makes soft targets (label smoothing is then already folded into the
/// targets), label-smoothing cross-entropy otherwise. Both are means over the batch.
/// </summary>
public static class ClassificationLoss
{
    /// <summary>
    /// timm LabelSmoothingCrossEntropy: per sample (1-ε)·(-log p_y) + ε·mean_k(-log p_k), i.e. cross-entropy against
    /// (1-ε)·onehot + ε/K. ε = 0 is plain cross-entropy.
    /// </summary>
    /// <param name="logits">(B, K).</param>
    /// <param name="labels">(B) int64.</param>
    /// <param name="smoothing">ε in [0, 1).</param>
    public static Tensor LabelSmoothing(Tensor logits, Tensor labels, double smoothing)
    {
        if (smoothing < 0 || smoothing >= 1) throw new ArgumentException($"label smoothing must be in [0, 1), got {smoothing}");
        var logProbs = nn.functional.log_softmax(logits, -1);                             // (B, K)
        var nll = -logProbs.gather(-1, labels.unsqueeze(-1)).squeeze(-1);               // (B)
        if (smoothing == 0) return nll.mean();
        var smooth = -logProbs.mean(new long[] { -1 });                                 // (B)
        return nll.Times(1 - smoothing).Plus(smooth.Times(smoothing)).mean();
    }

    /// <summary>timm SoftTargetCrossEntropy: mean over the batch of sum_k -t_k log softmax(x)_k.</summary>
    /// <param name="logits">(B, K).</param>
    /// <param name="targets">(B, K), rows summing to 1.</param>
    public static Tensor SoftTarget(Tensor logits, Tensor targets) =>
        (-targets * nn.functional.log_softmax(logits, -1)).sum(-1).mean();

    /// <summary>The criterion of one batch: soft targets if present, else label smoothing on the hard labels.</summary>
    public static Tensor For(Tensor logits, Tensor labels, Tensor? softTargets, double smoothing) =>
        softTargets is null ? LabelSmoothing(logits, labels, smoothing) : SoftTarget(logits, softTargets);
}
