using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Evaluation;

/// <summary>Accuracy of a classifier on a labelled set. Fractions in [0, 1].</summary>
/// <param name="Top1">Top-1 accuracy over all images.</param>
/// <param name="Top5">Top-5 accuracy (top-K when there are fewer than 5 classes, then = 1).</param>
/// <param name="MeanPerClass">Mean over classes present in the set of each class's top-1 accuracy (long-tailed data).</param>
/// <param name="Loss">Mean plain cross-entropy (the official validate() criterion), NaN when not computed.</param>
/// <param name="Count">Images evaluated.</param>
public sealed record ClassificationResult(double Top1, double Top5, double MeanPerClass, double Loss, long Count);

/// <summary>
/// Accumulates top-1 / top-5 / per-class counts over batches (timm accuracy(): a sample is top-k correct when its label
/// is among the k largest logits, via torch.topk).
/// </summary>
public sealed class ClassificationMetrics
{
    private readonly long[] correctPerClass, totalPerClass;
    private long top1, top5, count;
    private double lossSum;

    public ClassificationMetrics(int numClasses)
    {
        if (numClasses <= 0) throw new ArgumentException($"need at least one class, got {numClasses}");
        correctPerClass = new long[numClasses];
        totalPerClass = new long[numClasses];
    }

    /// <summary>Number of samples whose label is among the top <paramref name="k"/> logits.</summary>
    /// <param name="logits">(B, K).</param>
    /// <param name="labels">(B) int64.</param>
    /// <param name="k">How many of the highest logits count.</param>
    public static long TopKCorrect(Tensor logits, Tensor labels, int k)
    {
        using var scope = NewDisposeScope();
        k = (int)Math.Min(k, logits.shape[1]);
        var (_, idx) = logits.topk(k, dim: 1);                                  // (B, k)
        return idx.eq(labels.unsqueeze(1)).any(1).sum().item<long>();
    }

    /// <summary>Adds one batch (<paramref name="logits"/> (B, K), <paramref name="labels"/> (B)).</summary>
    /// <param name="logits">(B, K) scores.</param>
    /// <param name="labels">(B) int64 class ids.</param>
    /// <param name="withLoss">False for scores that are not logits (k-NN votes): the loss is then reported as NaN.</param>
    public void Add(Tensor logits, Tensor labels, bool withLoss = true)
    {
        using var scope = NewDisposeScope();
        if (logits.shape[1] != correctPerClass.Length)
            throw new ArgumentException($"logits have {logits.shape[1]} classes, the metrics {correctPerClass.Length}");
        top1 += TopKCorrect(logits, labels, 1);
        top5 += TopKCorrect(logits, labels, 5);
        if (!withLoss) lossSum = double.NaN;
        else lossSum += nn.functional.cross_entropy(logits.to_type(ScalarType.Float32), labels, reduction: nn.Reduction.Sum).to_type(ScalarType.Float64).item<double>();
        var pred = logits.argmax(1).data<long>().ToArray();
        var y = labels.to_type(ScalarType.Int64).data<long>().ToArray();
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] < 0 || y[i] >= totalPerClass.Length) throw new ArgumentException($"label {y[i]} outside 0..{totalPerClass.Length - 1}");
            totalPerClass[y[i]]++;
            if (pred[i] == y[i]) correctPerClass[y[i]]++;
        }
        count += y.Length;
    }

    public ClassificationResult Result() => new(
        count == 0 ? double.NaN : (double)top1 / count,
        count == 0 ? double.NaN : (double)top5 / count,
        MeanPerClass(correctPerClass, totalPerClass),
        count == 0 ? double.NaN : lossSum / count,
        count);

    static double MeanPerClass(long[] correct, long[] total)
    {
        var present = Enumerable.Range(0, total.Length).Where(c => total[c] > 0).ToList();
        return present.Count == 0 ? double.NaN : present.Average(c => (double)correct[c] / total[c]);
    }
}
