using MimScale.Dense.Detection.Roi;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Roi;

/// <summary>mmdet's _do_paste_mask on hand-made boxes; values from the grid_sample arithmetic done by hand.</summary>
public class MaskPasterTests
{
    [Fact]
    public void ATwoByTwoMaskPastesBilinearlyWithZeroPaddingAndThresholdsAtOneHalf()
    {
        using var scope = NewDisposeScope();
        // Columns 0 and 1 of the 2x2 map are 0 and 1. Box [0, 0, 4, 4] in a 4x5 image: pixel centres x + 0.5 map to
        // g = (x + 0.5) / 4 * 2 - 1 = -0.75, -0.25, 0.25, 0.75, i.e. input x = ((g + 1) * 2 - 1) / 2 = -0.25, 0.25, 0.75,
        // 1.25, giving 0 (zero pad and 0), 0.25, 0.75, 0.75 (1 and zero pad); column 4 (g = 1.25, x = 1.75) gives 0.25.
        var probs = tensor(new float[] { 0, 1, 0, 1 }).view(1, 2, 2);
        var box = tensor(new float[] { 0, 0, 4, 4 }).view(1, 4);
        var p = MaskPaster.PasteProbabilities(probs, box, 4, 5);
        Assert.Equal(new float[] { 0, 0.25f, 0.75f, 0.75f, 0.25f }, p[0, 1].data<float>().ToArray());
        var m = MaskPaster.Paste(probs, box, 4, 5);
        Assert.Equal(new[] { false, false, true, true, false }, m[0, 2].data<bool>().ToArray());
    }

    [Fact]
    public void PixelsOutsideTheBoxRegionStayEmpty()
    {
        using var scope = NewDisposeScope();
        // An all-ones 28x28 map on box [2, 3, 6, 7] in a 10x10 image: exactly the 4x4 pixels of the box are >= 0.5.
        var probs = ones(1, 28, 28);
        var m = MaskPaster.Paste(probs, tensor(new float[] { 2, 3, 6, 7 }).view(1, 4), 10, 10);
        var expected = new bool[100];
        for (int y = 3; y < 7; y++) for (int x = 2; x < 6; x++) expected[y * 10 + x] = true;
        Assert.Equal(expected, m[0].reshape(-1).data<bool>().ToArray());
        // A wide box (112 px for 28 cells: 4 px per cell) reaches past its edge: pixel 8 (centre 8.5, 1.5 px = 0.375 cell
        // left of x0 = 10) would sample input x = -0.875, value 0.125, but the skip_empty region starts at floor(10) - 1 = 9;
        // pixel 9 samples -0.625 (0.375), pixel 10 -0.375 (0.625); on the right, pixel 122 samples 27.625 (0.375) and
        // pixel 123 is past the region's end ceil(122) + 1 = 123.
        var wide = MaskPaster.PasteProbabilities(ones(1, 28, 28), tensor(new float[] { 10, 0, 122, 4 }).view(1, 4), 4, 128);
        var row = wide[0, 0].data<float>().ToArray();
        Assert.Equal(0f, row[8]);
        Assert.Equal(0.375f, row[9], 5);
        Assert.Equal(0.625f, row[10], 5);
        Assert.Equal(1f, row[60], 5);
        Assert.Equal(0.375f, row[122], 5);
        Assert.Equal(0f, row[123]);
    }
}
