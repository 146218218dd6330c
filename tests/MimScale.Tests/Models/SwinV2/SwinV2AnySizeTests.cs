using MimScale.Models.SwinV2;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.SwinV2;

/// <summary>
/// The any-size paths of the SwinV2 parts (dense backbones) against the configured-size paths on explicitly
/// zero-padded inputs: pad right/bottom, run, crop (mmseg/mmdet Swin).
/// </summary>
public class SwinV2AnySizeTests
{
    static void Randomise(nn.Module m, Generator g)
    {
        using var _ = torch.no_grad();
        foreach (var (_, p) in m.named_parameters()) p.copy_(torch.randn(p.shape, generator: g).mul_(0.3));
    }

    static void CopyParameters(nn.Module from, nn.Module to)
    {
        using var _ = torch.no_grad();
        var source = from.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in to.named_parameters()) p.copy_(source[name]);
    }

    static double MaxDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        return (a - b).abs().max().item<float>();
    }

    static Tensor PadGrid(Tensor x, int h, int w, int hp, int wp)
    {
        long b = x.shape[0], c = x.shape[2];
        return nn.functional.pad(x.view(b, h, w, c), new long[] { 0, 0, 0, wp - w, 0, hp - h }).view(b, (long)hp * wp, c);
    }

    [Theory]
    [InlineData(6, 10, 2)]   // pads to 8x12, shifted: the padded grid's mask
    [InlineData(5, 7, 0)]    // pads to 8x8, plain windows
    [InlineData(3, 9, 2)]    // smaller than the window vertically: one padded window row
    [InlineData(8, 12, 2)]   // no padding, but not the configured grid: a mask/order of its own
    public void BlockOnAnyGridEqualsTheBlockOnTheZeroPaddedGridCropped(int h, int w, int shift)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        var block = new SwinTransformerBlock(8, (4, 4), 2, 4, shift, 4.0, true, 0, 0, 0, 0, null);
        Randomise(block, g);
        int hp = (h + 3) / 4 * 4, wp = (w + 3) / 4 * 4;
        var reference = new SwinTransformerBlock(8, (hp, wp), 2, 4, shift, 4.0, true, 0, 0, 0, 0, null);
        Assert.Equal(shift > 0, reference.HasAttnMask);
        CopyParameters(block, reference);
        block.eval(); reference.eval();
        using var _ = torch.no_grad();

        var x = torch.randn(new long[] { 2, h * w, 8 }, generator: g);
        var ours = block.ForwardAt(x, h, w);                                       // (2, h*w, 8)
        var expected = reference.forward(PadGrid(x, h, w, hp, wp))
            .view(2, hp, wp, 8).narrow(1, 0, h).narrow(2, 0, w).reshape(2, h * w, 8);
        Assert.True(MaxDiff(expected, ours) <= 1e-6);
        // Unshifted windows attend to the padding too (mmseg has no mask for it): other padding values give other
        // outputs. (With a shift, padding of exactly the shift falls in a region of its own and is masked.)
        if (shift == 0 && hp * wp != h * w)
        {
            var ones = nn.functional.pad(x.view(2, h, w, 8), new long[] { 0, 0, 0, wp - w, 0, hp - h }, value: 1.0).view(2, hp * wp, 8);
            var other = reference.forward(ones).view(2, hp, wp, 8).narrow(1, 0, h).narrow(2, 0, w).reshape(2, h * w, 8);
            Assert.True(MaxDiff(other, ours) > 1e-3);
        }
    }

    [Fact]
    public void ManyGridSizesKeepGivingTheSameOutputs()
    {
        // More sizes than the block caches (64): the first size's tensors are rebuilt after the cache is dropped.
        using var scope = NewDisposeScope();
        var g = new Generator(13);
        var block = new SwinTransformerBlock(4, (4, 4), 1, 2, 1, 2.0, true, 0, 0, 0, 0, null);
        Randomise(block, g);
        block.eval();
        using var _ = torch.no_grad();
        var x = torch.randn(new long[] { 1, 3 * 5, 4 }, generator: g);
        var first = block.ForwardAt(x, 3, 5);
        for (int h = 1; h <= 9; h++)
            for (int w = 1; w <= 8; w++)
                block.ForwardAt(torch.randn(new long[] { 1, h * w, 4 }, generator: g), h, w);
        Assert.True(MaxDiff(first, block.ForwardAt(x, 3, 5)) == 0);
    }

    [Fact]
    public void PatchMergingOfAnOddGridPadsOneZeroRowAndColumn()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var merging = new PatchMerging((4, 4), 3);
        Randomise(merging, g);
        var reference = new PatchMerging((4, 6), 3);
        CopyParameters(merging, reference);
        var x = torch.randn(new long[] { 2, 3 * 5, 3 }, generator: g);
        var ours = merging.ForwardAt(x, 3, 5);
        Assert.Equal(new long[] { 2, 2 * 3, 6 }, ours.shape);
        Assert.True(MaxDiff(reference.forward(PadGrid(x, 3, 5, 4, 6)), ours) <= 1e-6);
    }

    [Fact]
    public void PatchEmbedOfAnySizePadsTheImageRightAndBottomToThePatch()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        var embed = new PatchEmbed(new[] { 8, 8 }, 4, 3, 6, patchNorm: true);
        Randomise(embed, g);
        var reference = new PatchEmbed(new[] { 12, 8 }, 4, 3, 6, patchNorm: true);
        CopyParameters(embed, reference);
        var x = torch.randn(new long[] { 2, 3, 9, 6 }, generator: g);
        var ours = embed.ForwardAnySize(x);
        Assert.Equal(new long[] { 2, 3 * 2, 6 }, ours.shape);
        Assert.True(MaxDiff(reference.forward(nn.functional.pad(x, new long[] { 0, 2, 0, 3 })), ours) <= 1e-6);
        Assert.Throws<ArgumentException>(() => embed.forward(x));   // the classifier path still checks the size
    }
}
