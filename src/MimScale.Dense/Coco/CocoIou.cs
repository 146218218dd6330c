namespace MimScale.Dense.Coco;

/// <summary>
/// Overlaps as pycocotools mask.iou computes them: a D x G matrix, row d for detection d and column g for ground
/// truth g. Against a crowd ground truth the "IoU" is intersection / area(detection), so a detection inside a crowd
/// region scores 1 however small it is (maskApi.c bbIou / rleIou).
/// </summary>
public static class CocoIou
{
    /// <summary>Box overlaps (maskApi.c bbIou: [x, y, w, h] boxes, no +1). Result is row-major D x G.</summary>
    public static double[] Boxes(ReadOnlySpan<CocoBox> detections, ReadOnlySpan<CocoBox> truths, ReadOnlySpan<bool> crowd)
    {
        CheckCrowd(truths.Length, crowd);
        var o = new double[detections.Length * truths.Length];
        Boxes(detections, truths, crowd, o);
        return o;
    }

    internal static void Boxes(ReadOnlySpan<CocoBox> dt, ReadOnlySpan<CocoBox> gt, ReadOnlySpan<bool> crowd, Span<double> o)
    {
        int n = gt.Length;
        for (int g = 0; g < n; g++)
        {
            CocoBox G = gt[g];
            double ga = G.Width * G.Height;
            bool isCrowd = crowd.Length > 0 && crowd[g];
            for (int d = 0; d < dt.Length; d++)
            {
                o[d * n + g] = BoxIou(dt[d], G, ga, isCrowd);
            }
        }
    }

    private static double BoxIou(CocoBox D, CocoBox G, double ga, bool crowd)
    {
        double da = D.Width * D.Height;
        double w = Math.Min(D.Width + D.X, G.Width + G.X) - Math.Max(D.X, G.X);
        if (w <= 0) return 0;
        double h = Math.Min(D.Height + D.Y, G.Height + G.Y) - Math.Max(D.Y, G.Y);
        if (h <= 0) return 0;
        double i = w * h;
        double u = crowd ? da : da + ga - i;
        return i / u;
    }

    /// <summary>
    /// Mask overlaps (maskApi.c rleIou), row-major D x G. Pairs whose mask boxes do not overlap are 0 without
    /// walking the runs; masks of different sizes give -1, as in pycocotools.
    /// </summary>
    public static double[] Masks(IReadOnlyList<Rle> detections, IReadOnlyList<Rle> truths, ReadOnlySpan<bool> crowd)
    {
        CheckCrowd(truths.Count, crowd);
        var o = new double[detections.Count * truths.Count];
        var db = new CocoBox[detections.Count];
        var gb = new CocoBox[truths.Count];
        for (int d = 0; d < db.Length; d++) db[d] = detections[d].ToBox();
        for (int g = 0; g < gb.Length; g++) gb[g] = truths[g].ToBox();
        Masks(detections, truths, db, gb, crowd, o);
        return o;
    }

    /// <summary>As <see cref="Masks(IReadOnlyList{Rle}, IReadOnlyList{Rle}, ReadOnlySpan{bool})"/> with the boxes of the masks given.</summary>
    internal static void Masks(IReadOnlyList<Rle> dt, IReadOnlyList<Rle> gt, ReadOnlySpan<CocoBox> dtBoxes, ReadOnlySpan<CocoBox> gtBoxes,
                               ReadOnlySpan<bool> crowd, Span<double> o)
    {
        Boxes(dtBoxes, gtBoxes, crowd, o);
        int n = gt.Count;
        for (int g = 0; g < n; g++)
        {
            bool isCrowd = crowd.Length > 0 && crowd[g];
            for (int d = 0; d < dt.Count; d++)
            {
                if (!(o[d * n + g] > 0)) continue;
                if (dt[d].Height != gt[g].Height || dt[d].Width != gt[g].Width) { o[d * n + g] = -1; continue; }
                o[d * n + g] = MaskIou(dt[d].CountsArray, gt[g].CountsArray, isCrowd);
            }
        }
    }

    /// <summary>One pair: walk both run lists at once (maskApi.c rleIou inner loop).</summary>
    private static double MaskIou(uint[] a, uint[] b, bool crowd)
    {
        uint ca = a[0], cb = b[0], i = 0, u = 0, ct = 1;
        bool va = false, vb = false;
        int ia = 1, ib = 1;
        while (ct > 0)
        {
            uint c = Math.Min(ca, cb);
            if (va || vb) { u += c; if (va && vb) i += c; }
            ct = 0;
            ca -= c; if (ca == 0 && ia < a.Length) { ca = a[ia++]; va = !va; }
            ct += ca;
            cb -= c; if (cb == 0 && ib < b.Length) { cb = b[ib++]; vb = !vb; }
            ct += cb;
        }
        if (i == 0) u = 1;
        else if (crowd) { u = 0; for (int j = 1; j < a.Length; j += 2) u += a[j]; } // area of the detection
        return (double)i / u;
    }

    private static void CheckCrowd(int truths, ReadOnlySpan<bool> crowd)
    {
        if (crowd.Length != truths)
            throw new ArgumentException($"iscrowd has {crowd.Length} flags for {truths} ground truths");
    }
}
