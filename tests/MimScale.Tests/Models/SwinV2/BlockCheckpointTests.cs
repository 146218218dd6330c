using MimScale.Models.Runtime;
using MimScale.Models.SimMim;
using MimScale.Models.SwinV2;
using MimScale.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.SwinV2;

/// <summary>
/// Activation checkpointing (<see cref="BlockCheckpoint"/>, official use_checkpoint) changes memory, never results: in
/// training with stochastic depth the loss and every gradient equal those of the plain forward, because the recomputation
/// replays the forward's drop-path draws, and the random streams continue exactly as without checkpointing.
/// </summary>
public class BlockCheckpointTests
{
    // Parameters away from the res-post-norm init (norm1/norm2 = 0 would make every residual branch, and so drop path, a no-op).
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

    // max |a - b| relative to max |a| (the brief's 1e-6 relative).
    static double RelDiff(Tensor a, Tensor b) =>
        (a - b).abs().max().item<float>() / Math.Max(a.abs().max().item<float>(), 1e-30);

    static SwinV2Options Tiny(bool checkpoint) => new()
    {
        ImgSize = [32, 32], PatchSize = 2, NumClasses = 0, EmbedDim = 8, Depths = [2, 2, 2, 2], NumHeads = [1, 2, 2, 4],
        WindowSize = 4, DropPathRate = 0.5, UseCheckpoint = checkpoint,
    };

    static Tensor Mask(long batch, Generator g) =>
        torch.rand([batch, 16, 16], generator: g).LessThan(0.6).to_type(ScalarType.Int64);   // (B, H/patch, W/patch)

    [Fact]
    public void TrainingWithDropPathGivesTheSameLossGradientsAndRandomStreamWithAndWithoutCheckpointing()
    {
        using var scope = NewDisposeScope();
        var options = new SimMimOptions { Encoder = Tiny(false), NormTargetWindow = 7 };
        var genPlain = new Generator(7);
        var genCkpt = new Generator(7);
        var plain = new SimMimModel(options, genPlain);
        var ckpt = new SimMimModel(options with { Encoder = Tiny(true) }, genCkpt);
        Randomise(plain, new Generator(3));
        CopyParameters(plain, ckpt);
        plain.train(); ckpt.train();

        var data = new Generator(5);
        var x = torch.randn([8, 3, 32, 32], generator: data);
        var mask = Mask(8, data);
        var lossPlain = plain.forward(x, mask);
        var lossCkpt = ckpt.forward(x, mask);
        lossPlain.backward();
        lossCkpt.backward();

        Assert.Equal(lossPlain.item<float>(), lossCkpt.item<float>());
        var grads = ckpt.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        int compared = 0;
        foreach (var (name, p) in plain.named_parameters())
        {
            var g = p.grad ?? throw new Xunit.Sdk.XunitException($"{name}: no gradient without checkpointing");
            var other = grads[name] ?? throw new Xunit.Sdk.XunitException($"{name}: no gradient with checkpointing");
            Assert.True(RelDiff(g, other) <= 1e-6, $"{name}: relative difference {RelDiff(g, other):E2}");
            compared++;
        }
        Assert.Equal(plain.parameters().Count(), compared);
        // The recomputation put the drop-path generator back where the forward left it: the next step draws the same.
        Assert.True(genPlain.get_state().eq(genCkpt.get_state()).all().item<bool>());

        // Control: the drop pattern matters here, so a recomputation with other draws would have failed the comparison.
        plain.zero_grad();
        var other1 = plain.forward(x, mask);
        Assert.NotEqual(lossPlain.item<float>(), other1.item<float>());
    }

    [Fact]
    public void TheBlockIsRecomputedInBackwardWithTheForwardsDrawsAndParametersGetGradientsWithoutAnInputGradient()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        var block = new SwinTransformerBlock(8, (8, 8), 2, 4, 2, 4.0, true, 0, 0, 0.5, 0, g);
        Randomise(block, new Generator(1));
        block.train();
        var x = torch.randn([6, 64, 8], generator: new Generator(2));   // no requires_grad: only the parameters learn
        var parameters = block.parameters().ToList();

        var start = g.get_state();
        var plain = block.forward(x).square().sum();
        plain.backward();
        var expected = parameters.Select(p => p.grad!.clone()).ToList();
        var after = g.get_state();
        block.zero_grad();

        g.set_state(start);
        int calls = 0;
        var y = BlockCheckpoint.Apply(t => { calls++; return block.forward(t); }, x, parameters, [g]);
        Assert.Equal(1, calls);
        Assert.True(y.requires_grad);
        var loss = y.square().sum();
        loss.backward();
        Assert.Equal(2, calls);                                   // forward without a graph, once more in backward
        Assert.Equal(plain.item<float>(), loss.item<float>());
        for (int i = 0; i < parameters.Count; i++)
            Assert.True(RelDiff(expected[i], parameters[i].grad!) <= 1e-6, $"parameter {i}: {RelDiff(expected[i], parameters[i].grad!):E2}");
        Assert.True(after.eq(g.get_state()).all().item<bool>());

        // Without a graph (evaluation) it is a plain call: no recomputation, no saved state.
        calls = 0;
        using (torch.no_grad()) BlockCheckpoint.Apply(t => { calls++; return block.forward(t); }, x, parameters, [g]);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void TheCheckpointedForwardLeavesNoIntermediatesAliveInTheCallersScope()
    {
        // TorchSharp keeps every tensor of a forward alive until its dispose scope ends; a checkpointed block must free its
        // intermediates itself, or it saves no memory (measured: it then cost 0.8 GB more for SwinV2-B at batch 8).
        var block = new SwinTransformerBlock(8, (8, 8), 2, 4, 2, 4.0, true, 0, 0, 0.5, 0, new Generator(1));
        block.train();
        var x = torch.randn([2, 64, 8]).requires_grad_(true);
        int Held(Func<Tensor, Tensor> run)
        {
            using var scope = NewDisposeScope();
            run(x);
            return scope.DisposablesCount;
        }
        int plain = Held(block.forward);
        int checkpointed = Held(t => BlockCheckpoint.Apply(block.forward, t, block.parameters().ToList(), [torch.Generator.Default]));
        Assert.True(plain > 30, $"plain forward holds {plain}");
        Assert.True(checkpointed <= 4, $"checkpointed forward holds {checkpointed} tensors (output, saved input, RNG states)");
    }

    [Fact]
    public void TheSwitchReachesTheModelFromEveryConfig()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp["m.json"], """{"img_size": 32, "patch_size": 2, "embed_dim": 8, "depths": [2, 2, 2, 2], "num_heads": [1, 2, 2, 4], "window_size": 4, "use_checkpoint": true}""");
        Assert.True(MimScale.Models.Config.ModelJson.ReadSwinV2(tmp["m.json"]).UseCheckpoint);
        var pre = MimScale.Training.Pretraining.PretrainConfigYaml.Parse("model: swinv2-pico\nuse_checkpoint: true\n", "p.yaml");
        Assert.True(pre.ModelOptions().Encoder.UseCheckpoint);
        var ft = MimScale.Training.Finetuning.FinetuneConfigYaml.Parse("model: swinv2-pico\nuse_checkpoint: true\n", "f.yaml");
        Assert.True(ft.ModelOptions(10).UseCheckpoint);
        // A memory switch is not part of a run's identity: a run can resume with checkpointing switched on.
        Assert.Equal(MimScale.Training.Pretraining.PretrainRun.ConfigHash(pre with { UseCheckpoint = false }),
            MimScale.Training.Pretraining.PretrainRun.ConfigHash(pre));
        Assert.Equal(MimScale.Training.Finetuning.FinetuneRun.ConfigHash(ft with { UseCheckpoint = false }),
            MimScale.Training.Finetuning.FinetuneRun.ConfigHash(ft));
        Assert.Contains("use_checkpoint: true", MimScale.Training.Pretraining.PretrainConfigYaml.ToYaml(pre));   // run.yaml keeps it
    }
}
