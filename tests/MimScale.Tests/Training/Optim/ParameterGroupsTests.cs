using MimScale.Models.SwinV2;
using MimScale.Models.Zoo;
using MimScale.Tests.Models;
using MimScale.Tests.Models.Zoo;
using MimScale.Training.Optim;

namespace MimScale.Tests.Training.Optim;

public class ParameterGroupsTests
{
    static readonly int[] Base = { 2, 2, 18, 2 };

    [Theory]
    [InlineData("mask_token", 0)]
    [InlineData("encoder.mask_token", 0)]
    [InlineData("patch_embed.proj.weight", 0)]
    [InlineData("layers.0.blocks.0.attn.qkv.weight", 1)]
    [InlineData("layers.0.blocks.1.norm1.bias", 2)]
    [InlineData("layers.0.downsample.reduction.weight", 2)]
    [InlineData("layers.1.blocks.0.mlp.fc1.weight", 3)]
    [InlineData("layers.1.downsample.norm.weight", 4)]
    [InlineData("layers.2.blocks.17.attn.cpb_mlp.0.weight", 22)]
    [InlineData("layers.2.downsample.reduction.weight", 22)]
    [InlineData("layers.3.blocks.1.mlp.fc2.bias", 24)]
    [InlineData("norm.weight", 25)]
    [InlineData("head.bias", 25)]
    public void LayerIdsFollowTheOfficialRule(string name, int id) => Assert.Equal(id, ParameterGroups.LayerId(name, Base));

    [Fact]
    public void EverySwinV2BaseParameterGetsTheOfficialLrScaleAndDecay()
    {
        // Names and shapes from the zoo's SwinV2-B fine-tune model, without allocating it: the rule depends on names
        // and dimensionality only. Expected scale = 0.75^(25 - id); patch_embed ~ 0.75^25 = 7.5e-4.
        var o = ModelZoo.Get("swinv2-base").Finetune;
        var keys = ZooTests.OfficialKeys(o, simmim: false).Where(k => !k.EndsWith("_table", StringComparison.Ordinal) && !k.EndsWith("_index", StringComparison.Ordinal) && !k.EndsWith("attn_mask", StringComparison.Ordinal));
        var named = keys.Select(k => (k, new TorchSharp.Modules.Parameter(TorchSharp.torch.zeros(Shape(k))))).ToList();
        var groups = ParameterGroups.Finetuning(named, o.Depths, 0.05, 0.75);
        Assert.Equal(named.Count, groups.Sum(g => g.Parameters.Count));
        foreach (var g in groups)
            foreach (var (name, p) in g.Parameters)
            {
                int id = ParameterGroups.LayerId(name, o.Depths);
                Assert.Equal(Math.Pow(0.75, 25 - id), g.LrScale, 12);
                bool noDecay = p.dim() == 1 || name.EndsWith(".bias", StringComparison.Ordinal) || name.Contains("cpb_mlp") || name.Contains("logit_scale");
                Assert.Equal(noDecay ? 0.0 : 0.05, g.WeightDecay);
            }
        Assert.Equal(7.5254e-4, groups.First(g => g.Parameters.Any(p => p.Name == "patch_embed.proj.weight")).LrScale, 8);
    }

    static long[] Shape(string key) =>
        key.EndsWith("logit_scale", StringComparison.Ordinal) ? new long[] { 2, 1, 1 } :
        key.EndsWith(".weight", StringComparison.Ordinal) && !key.Contains("norm") ? new long[] { 2, 2 } : new long[] { 2 };
}
