using MimScale.Models.SimMim;
using MimScale.Models.TensorFiles;
using MimScale.Models.Zoo;
using MimScale.Training.Finetuning;
using MimScale.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Training.Finetuning;

/// <summary>
/// The paper's 192/w12 -> 224/w14 transfer at CPU scale: a SimMIM pico pre-trained at 32 px / window 4 (effective
/// windows 4,4,4,2) loads into a classifier at 48 px / window 6 with pretrained_window_sizes [4,4,4,2], and every
/// encoder weight arrives unchanged.
/// </summary>
public class WindowTransferTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mimscale-ft-window-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void EveryPretrainedEncoderWeightLoadsIntoTheLargerWindowClassifier()
    {
        var pre = ModelZoo.Get("swinv2-pico").Pretrain;
        using var simmim = new SimMimModel(pre, new Generator(11));
        string file = Path.Combine(dir, "simmim.safetensors");
        ModelWeights.Export(simmim, file);

        var weights = PretrainedWeights.Resolve(file);
        Assert.Equal(new[] { 4, 4, 4, 2 }, weights.EffectiveWindows);
        var config = new FinetuneConfig { Model = "swinv2-pico", Pretrained = file, ImgSize = 48, WindowSize = 6 };
        var options = weights.Adapt(config.ModelOptions(10));
        Assert.Equal(new[] { 4, 4, 4, 2 }, options.PretrainedWindowSizes);
        Assert.Equal(new[] { 6, 6, 6, 3 }, Enumerable.Range(0, 4).Select(i => options.EffectiveWindow(i, 0).Window));

        var (model, report) = weights.Build(options, new Generator(5));
        using var _ = model;
        Assert.NotNull(report);
        Assert.True(report!.Keys.IsMatch, report.ToString());
        Assert.Equal(new[] { "head.bias", "head.weight" }, report.Fresh.Order());
        // Set aside on purpose: the decoder, the mask token and the rebuilt position/mask buffers, nothing else.
        Assert.All(report.SetAside, k => Assert.True(k.StartsWith("decoder.", StringComparison.Ordinal) || k == "encoder.mask_token" || StateDictKeys.IsRebuiltBuffer(k), k));
        Assert.Contains("encoder.mask_token", report.SetAside);

        var source = simmim.Encoder.state_dict().Where(kv => !StateDictKeys.IsRebuiltBuffer(kv.Key) && kv.Key != "mask_token").ToDictionary(kv => kv.Key, kv => kv.Value);
        var target = model.state_dict();
        int compared = 0;
        foreach (var (key, value) in source)
        {
            Assert.True(target.ContainsKey(key), $"{key} has no place in the classifier");
            Assert.True(value.allclose(target[key], 0, 0), $"{key} changed in transfer");
            compared++;
        }
        // Every classifier entry except the head and the rebuilt buffers came from the checkpoint.
        Assert.Equal(target.Keys.Count(k => !k.StartsWith("head.", StringComparison.Ordinal) && !StateDictKeys.IsRebuiltBuffer(k)), compared);
        Assert.Equal(source.Values.Sum(t => t.numel()), target.Where(kv => source.ContainsKey(kv.Key)).Sum(kv => kv.Value.numel()));
        // The classifier runs at its own resolution.
        using (torch.no_grad()) Assert.Equal(new long[] { 2, 10 }, model.forward(torch.randn(2, 3, 48, 48)).shape);
    }

    [Fact]
    public void RunFoldersResolveToTheirNewestCheckpointAndTrunkFoldersMustNameABranch()
    {
        var pre = ModelZoo.Get("swinv2-pico").Pretrain;
        using var simmim = new SimMimModel(pre, new Generator(2));
        string run = Path.Combine(dir, "trunkrun", "len-8");
        var store = new CheckpointStore(run, keep: 5);
        var empty = new Dictionary<string, Tensor>();
        store.Save(4, simmim.state_dict(), empty, new TrainingState { Step = 4 });
        store.Save(8, simmim.state_dict(), empty, new TrainingState { Step = 8 });
        var w = PretrainedWeights.Resolve(run);
        Assert.EndsWith(Path.Combine("step-00000008", "model.safetensors"), w.CheckpointFile);
        Assert.Equal(CheckpointKind.SimMim, w.Architecture!.Kind);

        var trunk = Assert.Throws<FileNotFoundException>(() => PretrainedWeights.Resolve(Path.Combine(dir, "trunkrun")));
        Assert.Contains("len-8", trunk.Message);
        Assert.Throws<FileNotFoundException>(() => PretrainedWeights.Resolve(Path.Combine(dir, "nothing-here")));
        Assert.True(PretrainedWeights.Resolve("scratch").IsScratch);

        // A checkpoint of another size is refused with both shapes named.
        var wrong = Assert.Throws<ArgumentException>(() => w.Adapt(new FinetuneConfig { Model = "swinv2-nano" }.ModelOptions(10)));
        Assert.Contains("embed_dim 16", wrong.Message);
    }
}
