namespace MimScale.Dense.Coco;

/// <summary>An object-area range in pixels, inclusive at both ends (cocoeval.py tests <c>area &lt; lo or area &gt; hi</c>).</summary>
public sealed record AreaRange(string Label, double Min, double Max)
{
    /// <summary>True when an object of this area is outside the range (and so ignored in it).</summary>
    public bool Excludes(double area) => area < Min || area > Max;
}

/// <summary>Which overlap COCOeval matches on.</summary>
public enum CocoIouType
{
    /// <summary>Box AP: IoU of [x, y, w, h] boxes.</summary>
    Bbox,
    /// <summary>Mask AP: IoU of run-length masks.</summary>
    Segm,
}

/// <summary>
/// COCOeval parameters (cocoeval.py Params.setDetParams). The defaults are COCO's: IoU thresholds .50:.05:.95,
/// 101 recall points, at most 1/10/100 detections per image, areas all / small (&lt; 32²) / medium (32²-96²) /
/// large (&gt; 96²), per-category evaluation.
/// </summary>
public sealed record CocoEvalParams
{
    /// <summary>IoU thresholds, np.linspace(.5, .95, 10) bit for bit (the ninth is 0.8999999999999999).</summary>
    public IReadOnlyList<double> IouThresholds { get; init; } = Linspace(.5, .95, 10);

    /// <summary>Recall points at which precision is read, np.linspace(0, 1, 101) (e.g. 0.5700000000000001).</summary>
    public IReadOnlyList<double> RecallThresholds { get; init; } = Linspace(0, 1, 101);

    /// <summary>Detections kept per image (highest scores first), ascending.</summary>
    public IReadOnlyList<int> MaxDetections { get; init; } = [1, 10, 100];

    /// <summary>Area ranges; the summary looks them up by label (all, small, medium, large).</summary>
    public IReadOnlyList<AreaRange> AreaRanges { get; init; } =
    [
        new("all", 0, 1e5 * 1e5), new("small", 0, 32 * 32), new("medium", 32 * 32, 96 * 96), new("large", 96 * 96, 1e5 * 1e5),
    ];

    /// <summary>Match detections to ground truths of their own category only (useCats=1).</summary>
    public bool UseCategories { get; init; } = true;

    /// <summary>COCO's defaults.</summary>
    public static CocoEvalParams Default { get; } = new();

    /// <summary>Checks the parameters once, before anything is evaluated.</summary>
    public void Validate()
    {
        if (IouThresholds.Count == 0 || RecallThresholds.Count == 0 || MaxDetections.Count == 0 || AreaRanges.Count == 0)
            throw new ArgumentException("COCOeval needs at least one IoU threshold, recall threshold, max-detections value and area range");
        for (int i = 0; i < MaxDetections.Count; i++)
        {
            if (MaxDetections[i] < 0) throw new ArgumentException($"max detections {MaxDetections[i]} is negative");
            if (i > 0 && MaxDetections[i] < MaxDetections[i - 1]) throw new ArgumentException("max detections must be ascending (cocoeval.py sorts them)");
        }
        for (int i = 1; i < RecallThresholds.Count; i++)
            if (RecallThresholds[i] < RecallThresholds[i - 1]) throw new ArgumentException("recall thresholds must be ascending");
    }

    /// <summary>
    /// numpy.linspace(start, stop, num) as numpy 1.x computes it: <c>i * step + start</c> with
    /// <c>step = (stop - start) / (num - 1)</c>, and the last value set to <paramref name="stop"/> exactly.
    /// The IoU test is <c>iou &gt;= threshold</c>, so the last bit of each threshold matters.
    /// </summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        var y = new double[num];
        if (num == 1) { y[0] = start; return y; }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[^1] = stop;
        return y;
    }
}
