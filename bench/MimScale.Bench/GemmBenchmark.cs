using System.Diagnostics;
using MimScale.Models.Runtime;
using MimScale.Models.SwinV2;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Bench;

/// <summary>What to measure: the matrix products of a zoo model's (or simmim-a's) SimMIM training step at a batch.</summary>
public sealed record GemmBenchOptions(string Model, int Batch, int? Img = null, int? Window = null, int Threads = 0, int Reps = 5);

/// <summary>
/// One matrix product of a SwinV2 block (or of patch merging), repeated <paramref name="Count"/> times per step:
/// <paramref name="Batch"/> independent (M x K) @ (K x N) products (1 for a linear layer, windows x heads for attention).
/// <paramref name="Bias"/>: a linear layer with a bias, whose forward is one <c>addmm</c> (the bias copied into the
/// output, then the product accumulated onto it), as the model runs it.
/// </summary>
public sealed record GemmShape(int Stage, string Name, long Batch, long M, long K, long N, int Count, bool Bias = false)
{
    /// <summary>FLOPs of one product (2 M K N per matrix).</summary>
    public double Flops => 2.0 * Batch * M * K * N;
}

/// <summary>
/// The GEMMs of a training step on their own (`bench gemm`): every linear layer's forward product (with its bias, as
/// addmm) and its two backward products (dX = dY W, dW = dY^T X), and attention's q k^T and attn v with theirs (batched
/// matmul), timed one by one at the step's
/// shapes (best of a few runs). Says how fast MKL runs the step's own shapes against the 1024x1024 peak, and so how
/// much of the step is matrix products at all (the rest: `bench train`'s step time minus this sum). Prints numbers.
/// </summary>
public static class GemmBenchmark
{
    /// <summary>The block and patch-merging products of one forward pass of <paramref name="enc"/> on <paramref name="batch"/> images.</summary>
    public static IReadOnlyList<GemmShape> Shapes(SwinV2Options enc, int batch)
    {
        var shapes = new List<GemmShape>();
        for (int i = 0; i < enc.NumLayers; i++)
        {
            var (h, w) = enc.StageResolution(i);
            long side = enc.EffectiveWindow(i, 0).Window, n = side * side;   // a stage smaller than the window attends over all of it
            long tokens = (long)batch * h * w, c = (long)enc.EmbedDim << i, hidden = (long)(c * enc.MlpRatio);
            long heads = enc.NumHeads[i], d = c / heads, windows = tokens / n;
            int blocks = enc.Depths[i];
            shapes.Add(new(i, "qkv", 1, tokens, c, 3 * c, blocks, enc.QkvBias));
            shapes.Add(new(i, "q k^T", windows * heads, n, d, n, blocks));
            shapes.Add(new(i, "attn v", windows * heads, n, n, d, blocks));
            shapes.Add(new(i, "proj", 1, tokens, c, c, blocks, true));
            shapes.Add(new(i, "fc1", 1, tokens, c, hidden, blocks, true));
            shapes.Add(new(i, "fc2", 1, tokens, hidden, c, blocks, true));
            if (i < enc.NumLayers - 1) shapes.Add(new(i, "merge", 1, tokens / 4, 4 * c, 2 * c, 1));
        }
        return shapes;
    }

    public static void Run(GemmBenchOptions o, TextWriter output)
    {
        DenormalFlush.Enable();
        if (o.Threads > 0) torch.set_num_threads(o.Threads);
        var enc = ModelBenchmark.Resolve(new ModelBenchOptions(o.Model, o.Batch, o.Img, o.Window)).Encoder;
        output.WriteLine($"bench gemm: model={o.Model} img={enc.ImgSize[0]} window={enc.WindowSize} batch={o.Batch} threads={torch.get_num_threads()}");
        output.WriteLine("  stage  product    batch x (M x K) @ (K x N)          per step  forward   dX        dW   (GFLOP/s)");
        double flops = 0, seconds = 0;
        var gen = new Generator(0);
        var (peak, _, _) = ModelBenchmark.PeakAround(() =>
        {
            foreach (var s in Shapes(enc, o.Batch))
            {
                using var scope = NewDisposeScope();
                double fwd, dx, dw;
                if (s.Batch == 1)
                {
                    // A linear layer as the model and autograd run it: 2-D tokens, the (N, K) weight, addmm with the
                    // bias (or mm), then dX = dY W and dW = dY^T X.
                    var x = torch.randn(new[] { s.M, s.K }, generator: gen);
                    var w = torch.randn(new[] { s.N, s.K }, generator: gen);
                    var b = s.Bias ? torch.randn(new[] { s.N }, generator: gen) : null;
                    var g = torch.randn(new[] { s.M, s.N }, generator: gen);
                    fwd = Best(() => nn.functional.linear(x, w, b), o.Reps);
                    dx = Best(() => g.mm(w), o.Reps);
                    dw = Best(() => g.t().mm(x), o.Reps);
                }
                else
                {
                    var x = torch.randn(new[] { s.Batch, s.M, s.K }, generator: gen);
                    var w = torch.randn(new[] { s.Batch, s.K, s.N }, generator: gen);
                    var g = torch.randn(new[] { s.Batch, s.M, s.N }, generator: gen);
                    fwd = Best(() => x.matmul(w), o.Reps);
                    dx = Best(() => g.matmul(w.transpose(1, 2)), o.Reps);
                    dw = Best(() => x.transpose(1, 2).matmul(g), o.Reps);
                }
                flops += 3 * s.Flops * s.Count;
                seconds += (fwd + dx + dw) * s.Count;
                output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"  {s.Stage,5}  {s.Name,-8}  {s.Batch,6} x ({s.M,6} x {s.K,4}) @ ({s.K,4} x {s.N,4})  x{s.Count,-3}  {s.Flops / fwd / 1e9,8:F1} {s.Flops / dx / 1e9,8:F1} {s.Flops / dw / 1e9,8:F1}"));
            }
        });
        output.WriteLine($"  products of one training step: {flops / 1e9:F2} GFLOP in {seconds:F3} s = {flops / seconds / 1e9:F2} GFLOP/s " +
                         $"({100 * flops / seconds / peak:F1}% of the matmul peak GFLOP/s={peak / 1e9:F2})");
    }

    static double Best(Func<Tensor> product, int reps)
    {
        using (NewDisposeScope()) product();   // warm-up: MKL's buffers, page faults
        double best = double.MaxValue;
        for (int i = 0; i < reps; i++)
        {
            using var scope = NewDisposeScope();
            var sw = Stopwatch.StartNew();
            product();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }
}
