namespace MimScale.Dense.Coco;

/// <summary>
/// One (image, category) pair: its detections in score order cut at maxDets[-1], their IoU with the pair's
/// ground truths (cocoeval.py computeIoU), and the matching in every area range (evaluateImg), handed to the
/// category's accumulator. Buffers are reused from pair to pair.
/// </summary>
internal sealed class PairEvaluator(CocoDataset truth, LoadedResults results, CocoIouType iouType, CocoEvalParams p, string gtSource)
{
    private readonly ImageMatcher matcher = new();
    private double[] ious = new double[256];
    private byte[] flags = new byte[256];
    private readonly int[] nonIgnored = new int[p.AreaRanges.Count];

    public void Evaluate(CocoImage image, List<int> gts, List<int> dts, CategoryAccumulator acc)
    {
        if (gts.Count == 0 && dts.Count == 0) return; // evaluateImg returns None: nothing to accumulate

        // Detections by descending score, ties in file order (np.argsort(-score, kind='mergesort')), cut at maxDets[-1].
        var order = dts.ToArray();
        Array.Sort(order, (x, y) => { int c = results.Score(y).CompareTo(results.Score(x)); return c != 0 ? c : x.CompareTo(y); });
        int D = Math.Min(order.Length, p.MaxDetections[^1]), G = gts.Count;

        var scores = new double[D];
        var dtArea = new double[D];
        var dtMasks = iouType == CocoIouType.Segm ? new Rle[D] : null;
        var dtBoxes = new CocoBox[D];
        for (int d = 0; d < D; d++)
        {
            int j = order[d];
            Rle? mask = null;
            Rle Mask() => mask ??= results.Mask(j);
            scores[d] = results.Score(j);
            dtArea[d] = results.Area(j, Mask);
            if (dtMasks is not null) { dtMasks[d] = Mask(); dtBoxes[d] = dtMasks[d].ToBox(); }
            else dtBoxes[d] = results.Box(j, Mask);
        }

        var gtArea = new double[G];
        var gtCrowd = new bool[G];
        var gtId = new long[G];
        var gtBoxes = new CocoBox[G];
        var gtMasks = iouType == CocoIouType.Segm ? new Rle[G] : null;
        for (int g = 0; g < G; g++)
        {
            var a = truth.Annotations[gts[g]];
            gtArea[g] = a.Area;
            gtCrowd[g] = a.IsCrowd;
            gtId[g] = a.Id;
            if (gtMasks is null) { gtBoxes[g] = a.Box; continue; }
            var seg = a.Segmentation ?? throw new InvalidDataException(
                $"{gtSource}: annotations (id {a.Id}): has no 'segmentation', which mask AP needs");
            gtMasks[g] = seg.ToRle(image.Height, image.Width);
            gtBoxes[g] = gtMasks[g].ToBox();
        }

        // IoU per pair (D x G); pycocotools returns [] when either side is empty, and then nothing matches.
        if (this.ious.Length < D * G) this.ious = new double[D * G];
        var ious = this.ious.AsSpan(0, D * G);
        if (D > 0 && G > 0)
        {
            if (gtMasks is null) CocoIou.Boxes(dtBoxes, gtBoxes, gtCrowd, ious);
            else CocoIou.Masks(dtMasks!, gtMasks, dtBoxes, gtBoxes, gtCrowd, ious);
        }

        int T = p.IouThresholds.Count, A = p.AreaRanges.Count;
        if (this.flags.Length < A * T * D) this.flags = new byte[A * T * D];
        var flags = this.flags.AsSpan(0, A * T * D);
        for (int a = 0; a < A; a++)
            nonIgnored[a] = matcher.Match(ious, D, G, gtArea, gtCrowd, gtId, dtArea, p.AreaRanges[a], p.IouThresholds,
                                            flags, stride: D, offset: a * T * D);
        acc.Add(scores, flags, nonIgnored);
    }
}
