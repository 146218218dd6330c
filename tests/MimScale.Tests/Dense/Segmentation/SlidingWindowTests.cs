using MimScale.Dense.Segmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Segmentation;

/// <summary>
/// mmseg's slide_inference: the crop grid of its formula, the mean of overlapping logits (hand-computed on a toy
/// model whose logits depend on the crop), and equality with whole-image inference when one crop covers the image.
/// </summary>
public class SlidingWindowTests
{
    // Toy encode_decode: channel 0 = column index inside the crop, channel 1 = mean of the crop's first input channel
    // (so two crops covering a pixel disagree there), same spatial size as the crop.
    static Tensor Toy(Tensor crop)
    {
        long b = crop.shape[0], h = crop.shape[2], w = crop.shape[3];
        var col = torch.arange(w, dtype: ScalarType.Float32).view(1, 1, 1, w).expand(b, 1, h, w);
        var mean = crop[.., 0..1].mean(new long[] { 2, 3 }, keepdim: true).expand(b, 1, h, w);
        return torch.cat(new[] { col, mean }, 1);
    }

    [Fact]
    public void TheGridFollowsMmsegsFormulaAndEndsFlushWithTheBorder()
    {
        // h_grids = max(10 - 4 + 3 - 1, 0) // 3 + 1 = 3, w_grids = max(7 - 4 + 2, 0) // 3 + 1 = 2.
        var grid = SlidingWindow.Grid(10, 7, 4, 4, 3, 3);
        Assert.Equal(new[]
        {
            new CropWindow(0, 4, 0, 4), new CropWindow(0, 4, 3, 7),
            new CropWindow(3, 7, 0, 4), new CropWindow(3, 7, 3, 7),
            new CropWindow(6, 10, 0, 4), new CropWindow(6, 10, 3, 7),
        }, grid);
        // A crop larger than the image is the image (mmseg decodes the small patch unpadded).
        Assert.Equal(new[] { new CropWindow(0, 5, 0, 3) }, SlidingWindow.Grid(5, 3, 8, 8, 4, 4));
        // 512 crops with the ADE stride 341 over 512 x 683: one row, two columns, the second flush right.
        Assert.Equal(new[] { new CropWindow(0, 512, 0, 512), new CropWindow(0, 512, 171, 683) }, SlidingWindow.Grid(512, 683, 512, 512, 341, 341));
    }

    [Fact]
    public void OverlappingLogitsAreSummedAndDividedByTheirCount()
    {
        using var scope = NewDisposeScope();
        // 2 x 5 image whose pixel value is its column; crops 2 x 3 with stride 2 -> columns [0,3) and [2,5), overlap at 2.
        var image = torch.arange(5, dtype: ScalarType.Float32).view(1, 1, 1, 5).expand(1, 3, 2, 5).contiguous();
        var logits = SlidingWindow.Slide(Toy, image, 2, 2, 3, 1, 2);
        Assert.Equal(new long[] { 1, 2, 2, 5 }, logits.shape);
        // Column index: crop 1 gives 0,1,2 at x 0..2; crop 2 gives 0,1,2 at x 2..4; x = 2 averages 2 and 0.
        Assert.Equal(new float[] { 0, 1, 1, 1, 2, 0, 1, 1, 1, 2 }, logits[0, 0].flatten().data<float>().ToArray());
        // Crop means: 1 (columns 0..2) and 3 (columns 2..4); x = 2 averages them.
        Assert.Equal(new float[] { 1, 1, 2, 3, 3, 1, 1, 2, 3, 3 }, logits[0, 1].flatten().data<float>().ToArray());
    }

    [Fact]
    public void SlidingEqualsWholeWhenOneCropCoversTheImage()
    {
        using var scope = NewDisposeScope();
        var image = torch.rand(new long[] { 2, 3, 6, 9 }, generator: new Generator(3));
        var whole = SlidingWindow.Whole(Toy, image);
        foreach (var (crop, stride) in new[] { (9, 6), (12, 1), (64, 43) })
        {
            var slide = SlidingWindow.Slide(Toy, image, 2, crop, crop, stride, stride);
            Assert.Equal(whole.shape, slide.shape);
            Assert.True(slide.eq(whole).all().item<bool>(), $"crop {crop}");
        }
    }

    [Fact]
    public void APredictionIsResizedBackToTheImageSize()
    {
        using var scope = NewDisposeScope();
        // 10 x 6 RGB image; test scale (8, 4): factor min(8/10, 4/6) = 0.667 -> 7 x 4 (int(6.67+0.5), int(4+0.5)).
        Assert.Equal((7, 4), ScaleRule.Rescale(10, 6, (8, 4)));
        var image = new RgbImage(10, 6, Enumerable.Range(0, 180).Select(i => (byte)i).ToArray());
        var norm = new PixelNorm(new double[] { 0, 0, 0 }, new double[] { 1, 1, 1 });
        int[] seen = new int[2];
        Tensor Recording(Tensor x) { seen[0] = (int)x.shape[2]; seen[1] = (int)x.shape[3]; return Toy(x); }
        var slide = SegmentationPredictor.Logits(Recording, image, new InferenceSettings(true, (8, 4), 3, 2), norm, 2);
        Assert.Equal(new long[] { 1, 2, 6, 10 }, slide.shape);
        Assert.Equal(new[] { 3, 3 }, seen);                                        // crops of the 4 x 7 rescaled image
        var whole = SegmentationPredictor.Logits(Recording, image, new InferenceSettings(false, (8, 4), 3, 2), norm, 2);
        Assert.Equal(new long[] { 1, 2, 6, 10 }, whole.shape);
        Assert.Equal(new[] { 4, 7 }, seen);
    }
}
