using MimScale.Bench;

namespace MimScale.Tests.Bench;

/// <summary>`bench gemm`: the step's matrix products at their shapes, hand-counted for simmim-a.</summary>
public class GemmBenchmarkTests
{
    [Fact]
    public void TheShapesAreEveryBlocksProductsAndThePatchMergings()
    {
        // simmim-a: 64 px, patch 4 -> 16 x 16 tokens, C 8, depths 2/2/2/2, heads 1/2/4/8, window 4 (16 tokens), MLP x4.
        var enc = ModelBenchmark.FixtureA.Encoder;
        var shapes = GemmBenchmark.Shapes(enc, batch: 2);
        Assert.Equal(4 * 6 + 3, shapes.Count);                                       // 6 products per stage, 3 mergings
        Assert.Equal(new GemmShape(0, "qkv", 1, 512, 8, 24, 2, Bias: true), shapes[0]);   // 2 x 256 tokens; bias (q, 0, v)
        Assert.Equal(new GemmShape(0, "q k^T", 32, 16, 8, 16, 2), shapes[1]);       // 32 windows x 1 head, d 8
        Assert.Equal(new GemmShape(0, "attn v", 32, 16, 16, 8, 2), shapes[2]);
        Assert.Equal(new GemmShape(0, "fc2", 1, 512, 32, 8, 2, Bias: true), shapes[5]);
        Assert.Equal(new GemmShape(0, "merge", 1, 128, 32, 16, 1), shapes[6]);      // 4C -> 2C on a quarter of the tokens, no bias
        // Stage 3: 2 x 2 tokens, smaller than the window, so one window of 4 tokens per image; C 64, 8 heads of 8.
        Assert.Equal(new GemmShape(3, "q k^T", 16, 4, 8, 4, 2), shapes[^5]);
        Assert.Equal(2.0 * 512 * 8 * 24, shapes[0].Flops);

        var output = new StringWriter();
        GemmBenchmark.Run(new GemmBenchOptions("simmim-a", 2, Threads: 1, Reps: 1), output);
        var text = output.ToString();
        Assert.Contains("bench gemm: model=simmim-a img=64 window=4 batch=2 threads=1", text);
        Assert.Contains("products of one training step: ", text);
        Assert.Equal(2 + shapes.Count + 1, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);   // header, columns, one line each, total
    }
}
