namespace MimScale.Dense.Coco;

/// <summary>
/// Polygon -> RLE exactly as pycocotools maskApi.c rleFrPoly: the vertices are scaled by 5 and rounded, the
/// boundary is walked densely on that grid, each crossing of a pixel-column centre gives the first row inside that
/// column, and the sorted crossing positions become run boundaries (toggles). Integer casts truncate toward zero
/// as C's do; every floating-point step is kept in C's order so the same pixels come out.
/// </summary>
public static class PolygonRasterizer
{
    private const double Scale = 5;

    /// <summary>
    /// Rasterises one polygon given as x0, y0, x1, y1, ... A polygon of fewer than 3 points is a line and covers
    /// few or no pixels, as in pycocotools.
    /// </summary>
    public static Rle FromPolygon(ReadOnlySpan<double> xy, int height, int width)
    {
        if (xy.Length < 2 || xy.Length % 2 != 0)
            throw new ArgumentException($"a polygon needs an even number of coordinates (at least 2), got {xy.Length}");
        if (height < 0 || width < 0) throw new ArgumentException($"mask size [{height}, {width}] is negative");
        int k = xy.Length / 2;
        var x = new int[k + 1];
        var y = new int[k + 1];
        for (int j = 0; j < k; j++)
        {
            if (!double.IsFinite(xy[2 * j]) || !double.IsFinite(xy[2 * j + 1]))
                throw new ArgumentException($"polygon point {j} is not finite");
            x[j] = CInt(Scale * xy[2 * j] + .5);
            y[j] = CInt(Scale * xy[2 * j + 1] + .5);
        }
        x[k] = x[0];
        y[k] = y[0];

        // Walk every edge on the upsampled grid, one point per step along its longer axis.
        long m = 0;
        for (int j = 0; j < k; j++) m += Math.Max(Math.Abs(x[j] - x[j + 1]), Math.Abs(y[j] - y[j + 1])) + 1;
        var u = new int[m];
        var v = new int[m];
        m = 0;
        for (int j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ys - ye);
            bool flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) { (xs, xe) = (xe, xs); (ys, ye) = (ye, ys); }
            double s = dx >= dy ? (double)(ye - ys) / dx : (double)(xe - xs) / dy; // 0/0 = NaN for a repeated vertex
            if (dx >= dy)
                for (int d = 0; d <= dx; d++)
                {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs; v[m] = CInt(ys + s * t + .5); m++;
                }
            else
                for (int d = 0; d <= dy; d++)
                {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys; u[m] = CInt(xs + s * t + .5); m++;
                }
        }

        // Where the walk crosses a column centre, record (column, first row inside), downsampled by 5.
        var toggles = new List<uint>((int)Math.Min(m, int.MaxValue) / 5 + 2);
        for (long j = 1; j < m; j++)
        {
            if (u[j] == u[j - 1]) continue;
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / Scale - .5;
            if (Math.Floor(xd) != xd || xd < 0 || xd > width - 1) continue;
            double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
            yd = (yd + .5) / Scale - .5;
            if (yd < 0) yd = 0; else if (yd > height) yd = height;
            yd = Math.Ceiling(yd);
            toggles.Add(unchecked((uint)((int)xd * height + (int)yd)));
        }
        toggles.Add((uint)(height * width));
        toggles.Sort();

        // Differences of sorted toggles are run lengths; a zero difference cancels a toggle pair, so the run after
        // it is folded into the previous one (maskApi.c's b[m-1] += a[j]).
        var runs = new List<uint>(toggles.Count);
        uint prev = 0;
        var diffs = new uint[toggles.Count];
        for (int j = 0; j < toggles.Count; j++) { diffs[j] = toggles[j] - prev; prev = toggles[j]; }
        int i = 0;
        runs.Add(diffs[i++]);
        while (i < diffs.Length)
        {
            if (diffs[i] > 0) runs.Add(diffs[i++]);
            else { i++; if (i < diffs.Length) runs[^1] += diffs[i++]; }
        }
        return new Rle(height, width, runs.ToArray(), trusted: true);
    }

    /// <summary>
    /// A COCO polygon segmentation (a list of polygons) as one mask: each polygon rasterised, then their union
    /// (pycocotools COCO.annToRLE: frPyObjects + merge).
    /// </summary>
    public static Rle FromPolygons(IReadOnlyList<double[]> polygons, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        if (polygons.Count == 0) throw new ArgumentException("a polygon segmentation needs at least one polygon");
        var parts = new Rle[polygons.Count];
        for (int i = 0; i < parts.Length; i++) parts[i] = FromPolygon(polygons[i], height, width);
        return Rle.Merge(parts);
    }

    /// <summary>A box as a mask: its four corners rasterised as a polygon (maskApi.c rleFrBbox).</summary>
    public static Rle FromBox(CocoBox box, int height, int width)
    {
        double xs = box.X, xe = xs + box.Width, ys = box.Y, ye = ys + box.Height;
        return FromPolygon([xs, ys, xs, ye, xe, ye, xe, ys], height, width);
    }

    /// <summary>C's double -> int conversion on x86-64 (cvttsd2si): truncation, and INT_MIN for NaN or overflow.</summary>
    private static int CInt(double d) =>
        double.IsNaN(d) || d >= 2147483648.0 || d <= -2147483649.0 ? int.MinValue : (int)d;
}
