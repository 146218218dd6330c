namespace MimScale.Dense.Coco;

/// <summary>
/// Detections as pycocotools' COCO.loadRes prepares them. The first result decides for all: if it has a
/// (non-empty) box, every result's area is its box's w x h and a missing mask is the box's polygon; otherwise
/// every result's area is its mask's pixel count and a missing box is the mask's box. (So mask results that also
/// carry boxes, as most detectors write them, are put in area ranges by their boxes.)
/// </summary>
internal sealed class LoadedResults
{
    private readonly IReadOnlyList<CocoDetection> detections;
    private readonly CocoDataset truth;
    private readonly bool boxBranch;
    private readonly string source;

    public LoadedResults(IReadOnlyList<CocoDetection> detections, CocoDataset truth, string source)
    {
        this.detections = detections;
        this.truth = truth;
        this.source = source;
        boxBranch = detections.Count > 0 && detections[0].Box is not null;
    }

    public double Score(int j) => detections[j].Score;

    /// <summary>The area that decides the detection's area range.</summary>
    public double Area(int j, Func<Rle> mask)
    {
        var d = detections[j];
        if (boxBranch) return (d.Box ?? throw Missing(j, "a box ('bbox'), as the first result has one")).Area;
        return mask().Area;
    }

    public CocoBox Box(int j, Func<Rle> mask)
    {
        var d = detections[j];
        if (d.Box is CocoBox b) return b;
        if (boxBranch) throw Missing(j, "a box ('bbox'), as the first result has one");
        return mask().ToBox();
    }

    public Rle Mask(int j)
    {
        var d = detections[j];
        var img = truth.FindImage(d.ImageId)!;
        if (d.Segmentation is CocoSegmentation s)
        {
            try { return s.ToRle(img.Height, img.Width); }
            catch (ArgumentException e) { throw Missing(j, $"a valid segmentation ({e.Message})"); }
        }
        if (boxBranch && d.Box is CocoBox b) return PolygonRasterizer.FromBox(b, img.Height, img.Width);
        throw Missing(j, "a 'segmentation'");
    }

    private InvalidDataException Missing(int j, string what) => new($"{source}: results[{j}]: needs {what}");
}
