namespace MimScale.Dense.Segmentation;

/// <summary>
/// The four per-class pixel histograms of mmseg's <c>IoUMetric</c> (mmseg/evaluation/metrics/iou_metric.py,
/// <c>intersect_and_union</c>), summed over a whole evaluation set: pixels whose label is 255 are dropped, then
/// intersection = predicted pixels equal to their label, pred area and label area per class, union = pred + label -
/// intersection. Metrics come from the sums (<see cref="Compute"/>), never from per-image averages.
/// Unlike mmseg's <c>torch.histc</c>, which silently drops ids outside 0..N-1, an out-of-range id is an error.
/// </summary>
public sealed class IoUAccumulator
{
    private readonly long[] intersect, pred, label;

    /// <summary>Number of classes N (ids 0..N-1).</summary>
    public int NumClasses { get; }
    /// <summary>Number of image pairs added.</summary>
    public int Images { get; private set; }

    /// <summary>An empty accumulator for <paramref name="numClasses"/> classes.</summary>
    public IoUAccumulator(int numClasses)
    {
        if (numClasses is <= 0 or > LabelMap.Ignore)
            throw new ArgumentException($"--classes must be in 1..255 (255 is the ignore id), got {numClasses}");
        NumClasses = numClasses;
        intersect = new long[numClasses];
        pred = new long[numClasses];
        label = new long[numClasses];
    }

    /// <summary>
    /// Adds one image. <paramref name="label"/> must already be in training ids (apply
    /// <see cref="LabelMap.ReduceZeroLabel"/> first when the data set asks for it).
    /// </summary>
    public void Add(LabelMap prediction, LabelMap label)
    {
        if (prediction.Width != label.Width || prediction.Height != label.Height)
            throw new ArgumentException($"prediction is {prediction.Width}x{prediction.Height} but its label is {label.Width}x{label.Height}");
        if (prediction.FirstInvalid(NumClasses, allowIgnore: false) is var (pv, px, py))
            throw new ArgumentException($"prediction has class id {pv} at (x={px}, y={py}), outside 0..{NumClasses - 1}");
        if (label.FirstInvalid(NumClasses, allowIgnore: true) is var (lv, lx, ly))
            throw new ArgumentException($"label has class id {lv} at (x={lx}, y={ly}), outside 0..{NumClasses - 1} and not the ignore id 255");
        var p = prediction.Values;
        var l = label.Values;
        for (int i = 0; i < p.Length; i++)
        {
            int g = l[i];
            if (g == LabelMap.Ignore) continue;
            pred[p[i]]++;
            this.label[g]++;
            if (p[i] == g) intersect[g]++;
        }
        Images++;
    }

    /// <summary>Summed intersection per class.</summary>
    public IReadOnlyList<long> Intersection => intersect;
    /// <summary>Summed predicted area per class (non-ignored pixels only).</summary>
    public IReadOnlyList<long> PredictedArea => pred;
    /// <summary>Summed label area per class.</summary>
    public IReadOnlyList<long> LabelArea => label;
    /// <summary>Summed union per class: pred + label - intersection.</summary>
    public IReadOnlyList<long> Union => Enumerable.Range(0, NumClasses).Select(c => pred[c] + label[c] - intersect[c]).ToArray();

    /// <summary>
    /// mmseg's <c>total_area_to_metrics</c> with <c>['mIoU']</c>: IoU_c = I_c/U_c, Acc_c = I_c/label_c (NaN, here
    /// null, when the denominator is 0), aAcc = sum I / sum label, mIoU and mAcc = nan-mean over classes; in percent.
    /// Not rounded (mmseg rounds its printed table to 2 decimals).
    /// </summary>
    public SegmentationMetrics Compute()
    {
        var union = Union;
        var iou = new double?[NumClasses];
        var acc = new double?[NumClasses];
        for (int c = 0; c < NumClasses; c++)
        {
            iou[c] = union[c] == 0 ? null : 100.0 * intersect[c] / union[c];
            acc[c] = label[c] == 0 ? null : 100.0 * intersect[c] / label[c];
        }
        long totalLabel = label.Sum();
        return new SegmentationMetrics(
            AAcc: totalLabel == 0 ? null : 100.0 * intersect.Sum() / totalLabel,
            MIoU: NanMean(iou),
            MAcc: NanMean(acc),
            IoU: iou,
            Acc: acc,
            Images: Images,
            AreaIntersect: intersect.ToArray(),
            AreaUnion: union.ToArray(),
            AreaPredLabel: pred.ToArray(),
            AreaLabel: label.ToArray());
    }

    /// <summary>np.nanmean: the mean of the present values; null when none is present (numpy warns and gives NaN).</summary>
    private static double? NanMean(double?[] values)
    {
        double sum = 0;
        int n = 0;
        foreach (var v in values)
            if (v is double d) { sum += d; n++; }
        return n == 0 ? null : sum / n;
    }
}
