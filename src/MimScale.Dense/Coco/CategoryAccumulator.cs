namespace MimScale.Dense.Coco;

/// <summary>
/// The matched detections of one category over all images, and their precision/recall curves
/// (cocoeval.py COCOeval.accumulate for one k). Detections are appended image by image in image-id order,
/// each image's already in score order, so sorting by score with ties broken by position is numpy's stable
/// mergesort of the concatenation.
/// </summary>
internal sealed class CategoryAccumulator
{
    private readonly CocoEvalParams p;
    private readonly List<double> scores = new();
    private readonly List<int> rank = new();          // position of the detection within its image's score order
    private readonly List<byte>[] flags;              // per area range: [t][detection] flattened per threshold
    private readonly int[] nonIgnored;                // per area range: ground truths that count

    public CategoryAccumulator(CocoEvalParams p)
    {
        this.p = p;
        flags = new List<byte>[p.AreaRanges.Count * p.IouThresholds.Count];
        for (int i = 0; i < flags.Length; i++) flags[i] = new List<byte>();
        nonIgnored = new int[p.AreaRanges.Count];
    }

    /// <summary>Appends one image's detections (score order) and their flags for every area range.</summary>
    /// <param name="scores">The image's detection scores, in descending order.</param>
    /// <param name="flags">[area][threshold][detection], D detections per row.</param>
    /// <param name="nonIgnoredPerArea">Non-ignored ground-truth instances per area range.</param>
    public void Add(ReadOnlySpan<double> scores, ReadOnlySpan<byte> flags, ReadOnlySpan<int> nonIgnoredPerArea)
    {
        int d = scores.Length, T = p.IouThresholds.Count;
        for (int i = 0; i < d; i++) { this.scores.Add(scores[i]); rank.Add(i); }
        for (int a = 0; a < p.AreaRanges.Count; a++)
        {
            nonIgnored[a] += nonIgnoredPerArea[a];
            for (int t = 0; t < T; t++)
                this.flags[a * T + t].AddRange(flags.Slice((a * T + t) * d, d));
        }
    }

    /// <summary>Writes precision[t, r, k, a, m] and recall[t, k, a, m] for this category (left at -1 without ground truth).</summary>
    public void Accumulate(int k, double[,,,,] precision, double[,,,] recall)
    {
        int n = this.scores.Count, T = p.IouThresholds.Count, R = p.RecallThresholds.Count;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var scores = this.scores;
        Array.Sort(order, (x, y) => { int c = scores[y].CompareTo(scores[x]); return c != 0 ? c : x.CompareTo(y); });

        var rc = new double[n];
        var pr = new double[n];
        for (int a = 0; a < p.AreaRanges.Count; a++)
        {
            int npig = nonIgnored[a];
            if (npig == 0) continue; // no ground truth to recall: precision and recall stay -1
            for (int m = 0; m < p.MaxDetections.Count; m++)
            {
                int maxDet = p.MaxDetections[m];
                for (int t = 0; t < T; t++)
                {
                    var flags = this.flags[a * T + t];
                    double tp = 0, fp = 0;
                    int nd = 0;
                    foreach (int i in order)
                    {
                        if (rank[i] >= maxDet) continue;
                        byte f = flags[i];
                        // Ignored detections stay in the list with unchanged cumulative sums, as in numpy.
                        if ((f & ImageMatcher.Ignored) == 0)
                        {
                            if ((f & ImageMatcher.Matched) != 0) tp++; else fp++;
                        }
                        rc[nd] = tp / npig;
                        pr[nd] = tp / (fp + tp + Eps);
                        nd++;
                    }
                    recall[t, k, a, m] = nd > 0 ? rc[nd - 1] : 0;
                    for (int i = nd - 1; i > 0; i--)         // precision envelope: monotone from the right
                        if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
                    int p = 0;
                    for (int r = 0; r < R; r++)
                    {
                        double thr = this.p.RecallThresholds[r];
                        while (p < nd && rc[p] < thr) p++;   // np.searchsorted(rc, thr, side='left')
                        precision[t, r, k, a, m] = p < nd ? pr[p] : 0; // recall never reached: 0
                    }
                }
            }
        }
    }

    /// <summary>np.spacing(1): keeps precision 0/0 at 0.</summary>
    private const double Eps = 2.220446049250313e-16;
}
