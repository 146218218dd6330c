namespace MimScale.Dense.Coco;

/// <summary>
/// Greedy matching of one image and category in one area range (cocoeval.py COCOeval.evaluateImg). The result
/// per IoU threshold and detection is a flag byte: <see cref="Matched"/> (its dtMatches entry is non-zero) and
/// <see cref="Ignored"/> (dtIgnore).
/// </summary>
internal sealed class ImageMatcher
{
    public const byte Matched = 1;
    public const byte Ignored = 2;

    // Scratch reused across calls (one matcher per thread): no allocation per image.
    private int[] order = new int[16];
    private bool[] ignored = new bool[16];
    private bool[] taken = new bool[16];

    /// <summary>
    /// Matches <paramref name="d"/> detections (already in score order, at most maxDets[-1]) to <paramref name="g"/>
    /// ground truths. <paramref name="ious"/> is D x G row-major in the ground truths' file order (empty when
    /// either count is 0). Writes flags[t * stride + offset + d]; returns the number of non-ignored ground truths.
    /// </summary>
    public int Match(ReadOnlySpan<double> ious, int d, int g, ReadOnlySpan<double> gtArea, ReadOnlySpan<bool> gtCrowd,
                     ReadOnlySpan<long> gtId, ReadOnlySpan<double> dtArea, AreaRange range, IReadOnlyList<double> thresholds,
                     Span<byte> flags, int stride, int offset)
    {
        if (order.Length < g) { order = new int[g]; ignored = new bool[g]; taken = new bool[g]; }
        // Ground truths that are crowd or outside the area range are ignored, and sorted last (stable, as
        // np.argsort(kind='mergesort') of the 0/1 ignore flags).
        int n = 0, nonIgnored = 0;
        for (int j = 0; j < g; j++)
            if (!(gtCrowd[j] || range.Excludes(gtArea[j]))) { order[n] = j; ignored[n++] = false; }
        nonIgnored = n;
        for (int j = 0; j < g; j++)
            if (gtCrowd[j] || range.Excludes(gtArea[j])) { order[n] = j; ignored[n++] = true; }

        for (int t = 0; t < thresholds.Count; t++)
        {
            Array.Clear(taken, 0, g);
            Span<byte> row = flags.Slice(t * stride + offset, d);
            for (int di = 0; di < d; di++)
            {
                double best = Math.Min(thresholds[t], 1 - 1e-10);
                int m = -1;
                for (int gi = 0; gi < g; gi++)
                {
                    int gj = order[gi];
                    if (taken[gi] && !gtCrowd[gj]) continue;          // matched already, and not a crowd
                    if (m > -1 && !ignored[m] && ignored[gi]) break;  // have a real match; only ignored gts left
                    double iou = ious[di * g + gj];
                    if (iou < best) continue;
                    best = iou;
                    m = gi;
                }
                byte f = 0;
                if (m > -1)
                {
                    taken[m] = true;
                    if (ignored[m]) f |= Ignored;
                    // dtMatches holds the gt's id, and accumulate reads "matched" as id != 0: a gt with id 0
                    // counts as unmatched there, as in pycocotools.
                    if (gtId[order[m]] != 0) f |= Matched;
                }
                if ((f & Matched) == 0 && range.Excludes(dtArea[di])) f |= Ignored; // unmatched and out of range
                row[di] = f;
            }
        }
        return nonIgnored;
    }
}
