using MimScale.Models.SwinV2;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.SwinV2;

public class WindowOpsTests
{
    [Fact]
    public void RelativePositionIndexFollowsTheOfficialFormula()
    {
        // Window 2: tokens (0,0),(0,1),(1,0),(1,1); index = (dh + 1) * 3 + (dw + 1).
        var idx = WindowOps.RelativePositionIndex(2).data<long>().ToArray();
        Assert.Equal(new long[] { 4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4 }, idx);
    }

    [Fact]
    public void CoordsTableIsLogSpacedAndNormalisedByThePretrainedWindow()
    {
        // Window 2, no pretrained window: offsets -1,0,1 / (2-1) * 8 -> log2(9)/3 = 1.0566417.
        var t = WindowOps.RelativeCoordsTable(2, 0);
        Assert.Equal(new long[] { 1, 3, 3, 2 }, t.shape);
        float v = MathF.Log2(9f) / 3f;
        Assert.Equal(-v, t[0, 0, 0, 0].item<float>(), 6);
        Assert.Equal(0f, t[0, 1, 1, 1].item<float>(), 6);
        Assert.Equal(v, t[0, 2, 0, 0].item<float>(), 6);
        Assert.Equal(-v, t[0, 2, 0, 1].item<float>(), 6);
        // Window 14 fine-tuned from window 12: offset 13 / 11 * 8 = 9.4545 -> log2(10.4545)/3 = 1.12869.
        var ft = WindowOps.RelativeCoordsTable(14, 12);
        Assert.Equal(MathF.Log2(13f / 11f * 8f + 1f) / 3f, ft[0, 26, 13, 0].item<float>(), 6);
        Assert.Equal(1.12869, ft[0, 26, 13, 0].item<float>(), 4);
        // A 1x1 window (grid of one token) has only offset 0: coordinate 0, not the official NaN.
        Assert.Equal(0f, WindowOps.RelativeCoordsTable(1, 0)[0, 0, 0, 0].item<float>());
    }

    [Fact]
    public void ShiftedWindowMaskSeparatesTheNineRegions()
    {
        // 8x8 grid, window 4, shift 2: the top-left window lies in one region (no -100); the bottom-right window
        // holds four regions of 4 tokens, so 4*16 = 64 of its 256 pairs are allowed and 192 are -100.
        var mask = WindowOps.ShiftedWindowMask(8, 8, 4, 2);
        Assert.Equal(new long[] { 4, 16, 16 }, mask.shape);
        Assert.Equal(0, (mask[0] == -100f).sum().item<long>());
        Assert.Equal(192, (mask[3] == -100f).sum().item<long>());
        // Top-right window: columns split in two regions of 8 tokens -> 2*64 = 128 allowed, 128 masked.
        Assert.Equal(128, (mask[1] == -100f).sum().item<long>());
        Assert.Equal(0, ((mask != 0f) & (mask != -100f)).sum().item<long>());
    }

    [Fact]
    public void PartitionAndReverseAreInverse()
    {
        var x = torch.arange(2 * 8 * 8 * 3, ScalarType.Float32).reshape(2, 8, 8, 3);
        var windows = WindowOps.Partition(x, 4);
        Assert.Equal(new long[] { 8, 16, 3 }, windows.shape);
        // Window 1 of image 0 is the top-right one: its first token is (row 0, col 4).
        Assert.Equal(x[0, 0, 4].data<float>().ToArray(), windows[1, 0].data<float>().ToArray());
        Assert.Equal(x.data<float>().ToArray(), WindowOps.Reverse(windows, 4, 8, 8).data<float>().ToArray());
    }

    [Theory]
    [InlineData(8, 8, 4, 2)]
    [InlineData(12, 8, 4, 0)]
    [InlineData(6, 6, 3, 1)]
    public void TokenOrderGathersWhatRollThenPartitionProduces(int h, int w, int window, int shift)
    {
        var x = torch.arange(2 * h * w * 3, dtype: ScalarType.Float32).view(2, h * w, 3);
        var expected = WindowOps.Partition(x.view(2, h, w, 3).roll(new long[] { -shift, -shift }, new long[] { 1, 2 }), window);
        var order = WindowOps.TokenOrder(h, w, window, shift)!;
        var windows = x.index_select(1, torch.tensor(order)).view(-1, window * window, 3);
        Assert.Equal(expected.data<float>().ToArray(), windows.data<float>().ToArray());
        // The inverse puts every token back at its raster position.
        var back = windows.view(2, h * w, 3).index_select(1, torch.tensor(WindowOps.Inverse(order)));
        Assert.Equal(x.data<float>().ToArray(), back.data<float>().ToArray());
    }

    [Fact]
    public void TokenOrderIsNullWhenOneUnshiftedWindowCoversTheGrid() => Assert.Null(WindowOps.TokenOrder(4, 4, 4, 0));
}
