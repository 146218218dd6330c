using MimScale.Bench;

namespace MimScale.Tests.Bench;

/// <summary>`bench train --norm-target-window`: the targets the timed step trains on (raw pixels as the official default, or normalised).</summary>
public class ModelBenchmarkTests
{
    [Fact]
    public void TheTargetsAreTheModelsUnlessAskedAndTheHeaderSaysWhichWereTimed()
    {
        Assert.Equal(0, ModelBenchmark.Resolve(new ModelBenchOptions("simmim-a", 2)).NormTargetWindow);    // the fixture: raw pixels
        Assert.Equal(47, ModelBenchmark.Resolve(new ModelBenchOptions("swinv2-tiny", 2)).NormTargetWindow); // the paper's recipe at 192 px
        Assert.Equal(7, ModelBenchmark.Resolve(new ModelBenchOptions("swinv2-pico", 2)).NormTargetWindow);  // the CPU-scale models at 32 px
        Assert.Equal(0, ModelBenchmark.Resolve(new ModelBenchOptions("swinv2-pico", 2, NormTargetWindow: 0)).NormTargetWindow);

        var output = new StringWriter();
        ModelBenchmark.Run("train", new ModelBenchOptions("simmim-a", 2, Steps: 1, Warmup: 0, Threads: 1, NormTargetWindow: 5), output);
        Assert.Contains("bench train: model=simmim-a img=64 window=4 batch=2 threads=1 adamw=flat,fused targets=normalised/5", output.ToString());
        Assert.Matches(@"step_ms=[0-9.]+ of which update_ms=[0-9.]+ \(clipping \+ AdamW", output.ToString());
        var opByOp = new StringWriter();
        ModelBenchmark.Run("train", new ModelBenchOptions("simmim-a", 2, Steps: 1, Warmup: 0, Threads: 1, FlatAdamW: false, FusedAdamW: false), opByOp);
        Assert.Contains("adamw=per-parameter,op-by-op targets=raw", opByOp.ToString());

        var bad = Assert.Throws<ArgumentException>(() =>
            ModelBenchmark.Run("train", new ModelBenchOptions("simmim-a", 2, Steps: 1, Warmup: 0, NormTargetWindow: 4), TextWriter.Null));
        Assert.Contains("norm_target_window must be 0 (off) or an odd number >= 3, got 4", bad.Message);
    }
}
