namespace MimScale.Dense.Coco;

/// <summary>
/// Detections as pycocotools' COCO.loadRes prepares them. The first result decides for all: if it has a
/// (non-empty) box, every result's area is its box's w x h and a missing mask is the box's polygon; otherwise
/// every result's area is its mask's pixel count and a missing box is the mask's box. (So mask results that also
/// carry boxes, as most detectors write them, are put in area ranges by their boxes.)
/// </summary>
internal sealed class LoadedResults
{
    private readonly IReadOnlyList<CocoDetection> _detections;
    private readonly CocoDataset _truth;
    private readonly bool _boxBranch;
    private readonly string _source;

    public LoadedResults(IReadOnlyList<CocoDetection> detections, CocoDataset truth, string source)
    {
        _detections = detections;
        _truth = truth;
        _source = source;
        _boxBranch = detections.Count > 0 && detections[0].Box is not null;
    }

    public double Score(int j) => _detections[j].Score;

    /// <summary>The area that decides the detection's area range.</summary>
    public double Area(int j, Func<Rle> mask)
    {
        var d = _detections[j];
        if (_boxBranch) return (d.Box ?? throw Missing(j, "a box ('bbox'), as the first result has one")).Area;
        return mask().Area;
    }

    public CocoBox Box(int j, Func<Rle> mask)
    {
        var d = _detections[j];
        if (d.Box is CocoBox b) return b;
        if (_boxBranch) throw Missing(j, "a box ('bbox'), as the first result has one");
        return mask().ToBox();
    }

    public Rle Mask(int j)
    {
        var d = _detections[j];
        var img = _truth.FindImage(d.ImageId)!;
        if (d.Segmentation is CocoSegmentation s)
        {
            try { return s.ToRle(img.Height, img.Width); }
            catch (ArgumentException e) { throw Missing(j, $"a valid segmentation ({e.Message})"); }
        }
        if (_boxBranch && d.Box is CocoBox b) return PolygonRasterizer.FromBox(b, img.Height, img.Width);
        throw Missing(j, "a 'segmentation'");
    }

    private InvalidDataException Missing(int j, string what) => new($"{_source}: results[{j}]: needs {what}");
}
