namespace MimScale.Dense.Coco;

/// <summary>
/// An annotation's <c>segmentation</c> as written in the file: polygons (<c>[[x0, y0, x1, y1, ...], ...]</c>) or a
/// run-length mask (<c>{"size": [h, w], "counts": ...}</c>, compressed string or uncompressed list; both are held
/// as an <see cref="Rle"/>).
/// </summary>
public sealed class CocoSegmentation
{
    private CocoSegmentation(IReadOnlyList<double[]>? polygons, Rle? mask)
    {
        Polygons = polygons;
        Mask = mask;
    }

    /// <summary>The polygons, or null for a run-length mask.</summary>
    public IReadOnlyList<double[]>? Polygons { get; }

    /// <summary>The run-length mask, or null for polygons.</summary>
    public Rle? Mask { get; }

    /// <summary>A segmentation given as polygons, each x0, y0, x1, y1, ...</summary>
    public static CocoSegmentation FromPolygons(IReadOnlyList<double[]> polygons)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        if (polygons.Count == 0) throw new ArgumentException("a polygon segmentation needs at least one polygon");
        // pycocotools' frPyObjects refuses a first polygon of fewer than 4 numbers and sends one of exactly 4 to
        // frBbox, which fails on a list (TypeError in 2.0.11). Here every entry is a polygon; fewer than 3 points
        // make a line that covers (almost) nothing, as rleFrPoly does for a later entry.
        for (int i = 0; i < polygons.Count; i++)
        {
            int n = polygons[i].Length;
            if (n < 2 || n % 2 != 0) throw new ArgumentException($"polygon {i} has {n} coordinates; it needs an even number");
            foreach (double v in polygons[i])
                if (!double.IsFinite(v)) throw new ArgumentException($"polygon {i} has a non-finite coordinate");
        }
        return new CocoSegmentation(polygons, null);
    }

    /// <summary>A segmentation given as a run-length mask.</summary>
    public static CocoSegmentation FromRle(Rle mask) => new(null, mask ?? throw new ArgumentNullException(nameof(mask)));

    /// <summary>
    /// The mask on an image of the given size (pycocotools COCO.annToRLE): polygons are rasterised and merged,
    /// an RLE is returned as it is.
    /// </summary>
    public Rle ToRle(int height, int width) => Mask ?? PolygonRasterizer.FromPolygons(Polygons!, height, width);
}
