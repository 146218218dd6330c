using System.Text.Json;
using MimScale.Models.SimMim;
using MimScale.Models.SwinV2;
using MimScale.Models.TensorFiles;
using MimScale.Training.Optim;
using MimScale.Training.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models;

/// <summary>Parity with the official implementation's outputs (tests/fixtures, PyTorch 1.13 float32).</summary>
public class FixtureParityTests
{
    const double Abs = 1e-5, Rel = 1e-5;

    internal static SwinV2Options ClsA => new()
    {
        ImgSize = new[] { 64, 64 }, PatchSize = 4, NumClasses = 10, EmbedDim = 10, Depths = new[] { 2, 2, 2, 2 },
        NumHeads = new[] { 2, 4, 8, 16 }, WindowSize = 4, DropPathRate = 0,
    };

    internal static SimMimOptions SimA(int normWindow) => new()
    {
        Encoder = new SwinV2Options
        {
            ImgSize = new[] { 64, 64 }, PatchSize = 4, NumClasses = 0, EmbedDim = 8, Depths = new[] { 2, 2, 2, 2 },
            NumHeads = new[] { 1, 2, 4, 8 }, WindowSize = 4, DropPathRate = 0,
        },
        NormTargetWindow = normWindow,
    };

    static string Cls(string f) => Path.Combine(Fixtures.Dir("swinv2-cls-a"), f);
    static string Sim(string f) => Path.Combine(Fixtures.Dir("simmim-a"), f);

    static void AssertClose(Tensor expected, Tensor actual, double abs = Abs)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (expected.to_type(ScalarType.Float64) - actual.to_type(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(diff <= abs, $"max abs difference {diff:E3} > {abs:E0}");
    }

    static void AssertRel(double expected, double actual, double rel = Rel) =>
        Assert.True(Math.Abs(expected - actual) <= rel * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Theory]
    [InlineData("model.pth")]
    [InlineData("wrapped.pth")]
    [InlineData("model.safetensors")]
    public void ClassifierMatchesOfficialLogitsFeaturesAndStages(string file)
    {
        using var scope = NewDisposeScope();
        var model = new SwinTransformerV2(ClsA);
        var report = ModelWeights.Load(model, Cls(file));
        Assert.True(report.Keys.IsMatch, report.ToString());
        model.eval();
        using var _ = torch.no_grad();
        var x = Npy.Read(Cls("input.npy"));
        AssertClose(Npy.Read(Cls("logits.npy")), model.forward(x));
        AssertClose(Npy.Read(Cls("features.npy")), model.ForwardFeatures(x));
        AssertClose(Npy.Read(Cls("final_norm.npy")), model.ForwardTokens(x));

        var tokens = model.Embed(x);
        AssertClose(Npy.Read(Cls("patch_embed.npy")), tokens);
        for (int k = 0; k < 4; k++)
        {
            var layer = model.Layers[k];
            AssertClose(Npy.Read(Cls($"stage{k}_block0.npy")), layer.Blocks[0].forward(tokens));
            AssertClose(Npy.Read(Cls($"rpb_stage{k}_block0.npy")), layer.Blocks[0].Attention.RelativePositionBias());
            tokens = layer.forward(tokens);
            AssertClose(Npy.Read(Cls($"stage{k}.npy")), tokens);
        }
    }

    [Theory]
    [InlineData("model.pth")]
    [InlineData("model.safetensors")]
    public void SimMimMatchesOfficialEncoderDecoderLossesAndGradients(string file)
    {
        using var scope = NewDisposeScope();
        var model = new SimMimModel(SimA(0));
        Assert.True(ModelWeights.Load(model, Sim(file)).Keys.IsMatch);
        model.train();   // as the fixture: train mode, drop path 0
        var x = Npy.Read(Sim("input.npy"));
        var mask = Npy.Read(Sim("mask.npy"));
        Assert.Equal(ScalarType.Int64, mask.dtype);

        var z = model.ForwardEncoder(x, mask);
        var xRec = model.ForwardDecoder(z);
        AssertClose(Npy.Read(Sim("z.npy")), z);
        AssertClose(Npy.Read(Sim("x_rec.npy")), xRec);
        var loss = model.ForwardLoss(x, xRec, mask);
        var losses = JsonDocument.Parse(File.ReadAllText(Sim("loss.json"))).RootElement;
        AssertRel(losses.GetProperty("loss").GetDouble(), loss.item<float>());

        loss.backward();
        var grads = JsonDocument.Parse(File.ReadAllText(Sim("grads.json"))).RootElement;
        var named = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        AssertRel(grads.GetProperty("grad_total_norm").GetDouble(), GradientClipping.TotalNorm(named.Values));
        int checkedCount = 0;
        foreach (var g in grads.GetProperty("grad_norm_all").EnumerateObject())
        {
            double ours = named[g.Name].grad?.norm().item<float>() ?? 0;
            Assert.True(Math.Abs(ours - g.Value.GetDouble()) <= Abs, $"{g.Name}: grad norm {ours:E6} vs official {g.Value.GetDouble():E6}");
            checkedCount++;
        }
        Assert.Equal(named.Count, checkedCount);
        // The clamp at ln(100) is exercised: head 0 of this logit_scale sits at 5.0, so its gradient is exactly 0.
        Assert.Equal(0f, named["encoder.layers.0.blocks.0.attn.logit_scale"].grad![0, 0, 0].item<float>());
    }

    [Theory]
    [InlineData(15)]
    [InlineData(47)]
    public void NormalisedTargetLossesAndGradientsMatch(int window)
    {
        using var scope = NewDisposeScope();
        var x = Npy.Read(Sim("input.npy"));
        var mask = Npy.Read(Sim("mask.npy"));
        // MimScale sums windows in float64; the official float32 avg_pool2d over 47x47 windows carries ~1e-5 relative
        // error where the local variance is small, hence 2e-4 absolute on targets of magnitude up to 3.3.
        AssertClose(Npy.Read(Sim($"targets_norm{window}.npy")), NormTargets.Compute(x, window), 2e-4);
        var model = new SimMimModel(SimA(window));
        ModelWeights.Load(model, Sim("model.safetensors"));
        model.train();
        var loss = model.forward(x, mask);
        var expected = JsonDocument.Parse(File.ReadAllText(Sim("loss.json"))).RootElement.GetProperty("norm_target").GetProperty(window.ToString());
        AssertRel(expected.GetProperty("loss").GetDouble(), loss.item<float>());
        loss.backward();
        AssertRel(expected.GetProperty("grad_total_norm").GetDouble(), GradientClipping.TotalNorm(model.parameters()), 1e-4);
    }

    [Fact]
    public void OneOfficialAdamWStepGivesTheOfficialLossAfter()
    {
        using var scope = NewDisposeScope();
        var model = new SimMimModel(SimA(0));
        ModelWeights.Load(model, Sim("model.pth"));
        model.train();
        var x = Npy.Read(Sim("input.npy"));
        var mask = Npy.Read(Sim("mask.npy"));
        var step = JsonDocument.Parse(File.ReadAllText(Sim("step.json"))).RootElement;

        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        var groups = ParameterGroups.Pretraining(named, 0.05);
        // Groups by name equal the official ones (with the pre-training keyword quirk).
        var official = step.GetProperty("param_groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("weight_decay").GetDouble(), g => g.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).OrderBy(n => n).ToList());
        foreach (var g in groups)
            Assert.Equal(official[g.WeightDecay], g.Parameters.Select(p => p.Name).OrderBy(n => n).ToList());

        var optimizer = new AdamW(groups);
        model.forward(x, mask).backward();
        double norm = GradientClipping.Clip(named.Select(p => p.parameter).ToList(), 5.0);
        AssertRel(step.GetProperty("grad_norm_pre_clip").GetDouble(), norm);
        optimizer.Step(StepSchedule.Constant(1e-4), 0);
        using var _ = torch.no_grad();
        AssertRel(step.GetProperty("loss_after").GetDouble(), model.forward(x, mask).item<float>());
    }

    [Fact]
    public void PretrainedWeightsLoadIntoALargerWindowWithNothingDropped()
    {
        // SimMIM weights at window 4 load into a classifier at window 8 (pretrained windows = the effective
        // pre-training windows [4,4,4,2]): every encoder weight is taken, only decoder and mask token are set aside.
        using var scope = NewDisposeScope();
        var ft = SimA(0).Encoder with { NumClasses = 10, WindowSize = 8, PretrainedWindowSizes = new[] { 4, 4, 4, 2 } };
        var model = new SwinTransformerV2(ft);
        var report = ModelWeights.Load(model, Sim("model.pth"), strict: true, allowNewHead: true);
        Assert.Empty(report.Keys.Unexpected);
        Assert.Empty(report.Keys.ShapeMismatches);
        Assert.Empty(report.Keys.Missing);
        Assert.Equal(new[] { "head.bias", "head.weight" }, report.Fresh.OrderBy(k => k));
        Assert.Contains("encoder.mask_token", report.SetAside);
        Assert.Contains("decoder.0.weight", report.SetAside);
        var file = TensorFile.Read(Sim("model.pth"));
        var sd = model.state_dict();
        foreach (var (key, value) in file.Where(kv => kv.Key.StartsWith("encoder.", StringComparison.Ordinal) && kv.Key != "encoder.mask_token" && !StateDictKeys.IsRebuiltBuffer(kv.Key)))
            Assert.True(value.equal(sd[key["encoder.".Length..]]).all().item<bool>(), key);
        // The coordinate table is rebuilt for window 8 normalised by the pretrained 4: 15x15 entries, max |coord| > 1.
        var table = sd["layers.0.blocks.0.attn.relative_coords_table"];
        Assert.Equal(new long[] { 1, 15, 15, 2 }, table.shape);
        using var _ = torch.no_grad();
        model.eval();
        Assert.Equal(new long[] { 4, 10 }, model.forward(Npy.Read(Sim("input.npy"))).shape);
    }

    [Fact]
    public void StrictLoadingNamesMissingUnexpectedAndMisShapedKeys()
    {
        var wrong = new SwinTransformerV2(ClsA with { NumClasses = 7, Depths = new[] { 2, 2, 2, 1 } });
        var ex = Assert.Throws<StateDictMismatchException>(() => ModelWeights.Load(wrong, Cls("model.safetensors")));
        Assert.Contains("layers.3.blocks.1.attn.qkv.weight", ex.Message);   // unexpected
        Assert.Contains("head.weight", ex.Message);                          // mis-shaped (10 vs 7 classes)
        Assert.Contains("model.safetensors", ex.Message);
    }

    [Fact]
    public void ExportedSafetensorsRoundTripWithOfficialNames()
    {
        var model = new SwinTransformerV2(ClsA);
        ModelWeights.Load(model, Cls("model.pth"));
        string path = Path.Combine(Path.GetTempPath(), $"mimscale-export-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelWeights.Export(model, path);
            var back = TensorFile.Read(path);
            var official = TensorFile.Read(Cls("model.safetensors"));
            Assert.Equal(official.Keys.OrderBy(k => k), back.Keys.OrderBy(k => k));
            foreach (var k in official.Keys) Assert.True(official[k].equal(back[k]).all().item<bool>(), k);
        }
        finally { File.Delete(path); }
    }
}
