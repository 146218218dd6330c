using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Evaluation;

/// <summary>k-NN settings. Defaults: DINO / InstDisc weighted k-NN, k = 20, temperature 0.07.</summary>
public sealed record KnnOptions
{
    public int K { get; init; } = 20;
    public double Temperature { get; init; } = 0.07;
    /// <summary>true: each neighbour votes exp(cos / T) (DINO eval_knn.py); false: one vote each (plain majority).</summary>
    public bool Weighted { get; init; } = true;
    /// <summary>Query rows per similarity block ((rows x bank) floats at a time).</summary>
    public int ChunkSize { get; init; } = 512;
}

/// <summary>k-NN result: accuracy (top-5 from the vote scores) and the settings.</summary>
public sealed record KnnResult(ClassificationResult Accuracy, KnnOptions Options, int BankSize);

/// <summary>
/// k-nearest-neighbour classification on frozen pooled features: features L2-normalised, cosine similarity of each
/// query to every bank feature, the k most similar vote for their class (weighted exp(sim/T) or one vote each); the
/// class with the largest score wins (ties: the lowest class index). Top-5 ranks the class scores.
/// </summary>
public static class KnnEval
{
    /// <summary>Class scores (Q, numClasses) of <paramref name="queries"/> (Q, C) against the bank.</summary>
    public static Tensor Scores(Tensor bank, long[] bankLabels, Tensor queries, int numClasses, KnnOptions? options = null)
    {
        var o = options ?? new KnnOptions();
        if (o.K <= 0 || o.Temperature <= 0) throw new ArgumentException("k and temperature must be positive");
        int k = (int)Math.Min(o.K, bank.shape[0]);
        using var outer = NewDisposeScope();
        var b = nn.functional.normalize(bank.to_type(ScalarType.Float32), p: 2, dim: 1);            // (N, C)
        var labels = torch.tensor(bankLabels);                                                   // (N)
        var parts = new List<Tensor>();
        for (long start = 0; start < queries.shape[0]; start += o.ChunkSize)
        {
            long len = Math.Min(o.ChunkSize, queries.shape[0] - start);
            var q = nn.functional.normalize(queries.narrow(0, start, len).to_type(ScalarType.Float32), p: 2, dim: 1);   // (q, C)
            var (sims, idx) = q.matmul(b.t()).topk(k, dim: 1);                                   // (q, k)
            var votes = o.Weighted ? sims.Over(o.Temperature).exp() : torch.ones_like(sims);
            var neighbourLabels = labels.index_select(0, idx.reshape(-1)).reshape(len, k);      // (q, k)
            parts.Add(torch.zeros(len, numClasses).scatter_add_(1, neighbourLabels, votes));    // (q, K)
        }
        return torch.cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Accuracy of the val features classified against the train features.</summary>
    public static KnnResult Evaluate(FeatureSet train, FeatureSet val, KnnOptions? options = null)
    {
        var o = options ?? new KnnOptions();
        using var scope = NewDisposeScope();
        var scores = Scores(train.Features, train.Labels, val.Features, train.NumClasses, o);
        var metrics = new ClassificationMetrics(train.NumClasses);
        metrics.Add(scores, torch.tensor(val.Labels), withLoss: false);
        return new KnnResult(metrics.Result(), o, train.Count);
    }

    /// <summary>
    /// Everything for one encoder: build it from <paramref name="checkpoint"/> (run folder, file, or "scratch"),
    /// compute the features once, classify. The study calls this per run.
    /// </summary>
    public static KnnResult Run(string? checkpoint, ProbeOptions probe, KnnOptions? options = null, TextWriter? log = null)
    {
        var (train, val) = probe.FeaturesOf(checkpoint, "knn", log);
        using (train) using (val) return Evaluate(train, val, options);
    }
}
