namespace MimScale.Dense.Coco;

/// <summary>
/// What COCOeval.accumulate() leaves in <c>eval</c> and what summarize() reads from it: precision
/// [T, R, K, A, M] and recall [T, K, A, M] (-1 where a category has no ground truth in that area range),
/// plus the 12 summary numbers.
/// </summary>
public sealed class CocoEvaluation
{
    internal CocoEvaluation(CocoEvalParams p, CocoIouType iouType, IReadOnlyList<long> categoryIds,
                            double[,,,,] precision, double[,,,] recall)
    {
        Params = p;
        IouType = iouType;
        CategoryIds = categoryIds;
        Precision = precision;
        Recall = recall;
        Stats = Summarize();
    }

    public CocoEvalParams Params { get; }
    public CocoIouType IouType { get; }

    /// <summary>Evaluated categories in ascending id order (k index); a single -1 when categories are not used.</summary>
    public IReadOnlyList<long> CategoryIds { get; }

    /// <summary>precision[t, r, k, a, m]: interpolated precision at recall threshold r.</summary>
    public double[,,,,] Precision { get; }

    /// <summary>recall[t, k, a, m]: the recall reached with all kept detections.</summary>
    public double[,,,] Recall { get; }

    /// <summary>The 12 summary numbers.</summary>
    public CocoStats Stats { get; }

    /// <summary>AP (IoU .50:.95, area all, most detections) of one category; -1 if it has no ground truth.</summary>
    public double CategoryAp(long categoryId)
    {
        int k = CategoryIds.ToList().IndexOf(categoryId);
        if (k < 0) throw new ArgumentException($"category {categoryId} was not evaluated");
        return Mean(ap: true, iouThr: null, area: "all", maxDets: Params.MaxDetections[^1], onlyK: k);
    }

    /// <summary>cocoeval.py _summarizeDets.</summary>
    private CocoStats Summarize()
    {
        int last = Params.MaxDetections[^1];
        int md0 = Params.MaxDetections[0], md1 = Params.MaxDetections[Math.Min(1, Params.MaxDetections.Count - 1)];
        return new CocoStats(
            Mean(true, null, "all", last), Mean(true, .5, "all", last), Mean(true, .75, "all", last),
            Mean(true, null, "small", last), Mean(true, null, "medium", last), Mean(true, null, "large", last),
            Mean(false, null, "all", md0), Mean(false, null, "all", md1), Mean(false, null, "all", last),
            Mean(false, null, "small", last), Mean(false, null, "medium", last), Mean(false, null, "large", last));
    }

    /// <summary>
    /// cocoeval.py _summarize: the mean of the entries &gt; -1 over the selected threshold(s), recall points and
    /// categories; -1 if there is none. The threshold is found by equality (np.where(iouThr == iouThrs)) and the
    /// area range by label, so a missing one gives -1.
    /// </summary>
    private double Mean(bool ap, double? iouThr, string area, int maxDets, int onlyK = -1)
    {
        int a = -1, m = -1;
        for (int i = 0; i < Params.AreaRanges.Count; i++) if (Params.AreaRanges[i].Label == area) { a = i; break; }
        for (int i = 0; i < Params.MaxDetections.Count; i++) if (Params.MaxDetections[i] == maxDets) { m = i; break; }
        if (a < 0 || m < 0) return -1;
        int T = Params.IouThresholds.Count, R = Params.RecallThresholds.Count, K = CategoryIds.Count;
        double sum = 0;
        long count = 0;
        for (int t = 0; t < T; t++)
        {
            if (iouThr is double thr && Params.IouThresholds[t] != thr) continue;
            for (int k = 0; k < K; k++)
            {
                if (onlyK >= 0 && k != onlyK) continue;
                if (ap)
                {
                    for (int r = 0; r < R; r++)
                        if (Precision[t, r, k, a, m] > -1) { sum += Precision[t, r, k, a, m]; count++; }
                }
                else if (Recall[t, k, a, m] > -1) { sum += Recall[t, k, a, m]; count++; }
            }
        }
        return count == 0 ? -1 : sum / count;
    }
}
