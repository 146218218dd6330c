using MimScale.Bench;
using MimScale.Dense.Coco;

namespace MimScale.Tests.Bench;

/// <summary>`bench coco-eval`: the synthetic set it times is well formed and the run reports both IoU types.</summary>
public class CocoEvalBenchmarkTests
{
    [Theory]
    [InlineData(0, 0, 1, 1, 4, 3)]       // the first pixel
    [InlineData(3, 2, 1, 1, 4, 3)]       // the last pixel
    [InlineData(1, 0, 2, 3, 4, 3)]       // full-height columns: runs merge across columns
    [InlineData(0, 1, 4, 1, 4, 3)]
    [InlineData(2, 5, 7, 9, 11, 17)]
    public void ARectanglesRunsAreTheEncodingOfItsMask(int x, int y, int w, int h, int width, int height)
    {
        var mask = new byte[height * width];   // row-major, as Rle.Encode reads it
        for (int r = y; r < y + h; r++) for (int c = x; c < x + w; c++) mask[r * width + c] = 1;
        var expected = Rle.Encode(mask, height, width);
        var rect = CocoEvalBenchmark.Rectangle(x, y, w, h, width, height);
        Assert.Equal(w * h, rect.Area);
        Assert.Equal(expected.Counts.ToArray(), rect.Counts.ToArray());   // the same runs, not just the same pixels
        Assert.Equal(new CocoBox(x, y, w, h), rect.ToBox());
    }

    [Fact]
    public void TheSetHasTheAskedSizeAndBoxAndMaskApAgreeOnRectangles()
    {
        var o = new CocoEvalBenchOptions(Images: 6, Detections: 20, Objects: 3, Categories: 4, Width: 64, Height: 48, Seed: 1);
        var (truth, detections) = CocoEvalBenchmark.Make(o);
        Assert.Equal(6, truth.Images.Count);
        Assert.Equal(18, truth.Annotations.Count);
        Assert.Equal(120, detections.Count);
        // Integer rectangles: the box IoU is the mask IoU, so the two evaluations agree to the last bit.
        var box = CocoEvaluator.Evaluate(truth, detections, CocoIouType.Bbox).Stats;
        var segm = CocoEvaluator.Evaluate(truth, detections, CocoIouType.Segm).Stats;
        Assert.Equal(0.214887383135, box.AP, 12);   // this seeded set's value (a regression pin: the set and COCOeval are deterministic)
        Assert.Equal(box.AP, segm.AP, 12);
        Assert.Equal(box.AR100, segm.AR100, 12);

        var output = new StringWriter();
        CocoEvalBenchmark.Run(o, output);
        Assert.Contains("bench coco-eval: 6 images 64x48, 18 ground-truth objects, 120 detections, 4 categories", output.ToString());
        Assert.Contains("  bbox: ", output.ToString());
        Assert.Contains("  segm: ", output.ToString());
    }
}
