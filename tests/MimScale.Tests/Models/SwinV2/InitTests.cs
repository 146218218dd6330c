using MimScale.Models.SwinV2;
using MimScale.Models.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.SwinV2;

public class InitTests
{
    // Clones: the module is garbage once this returns, and its finalizer disposes the parameters that state_dict()
    // hands out, which made the test fail now and then ("Tensor invalid -- empty handle") when a GC ran mid-test.
    static Dictionary<string, Tensor> Build(long seed)
    {
        using var model = new SwinTransformerV2(ModelZoo.Get("swinv2-nano").Finetune, generator: new Generator((ulong)seed));
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
    }

    [Fact]
    public void OfficialInitialisation()
    {
        var sd = Build(7);
        // Linear weights ~ N(0, 0.02): 3*32*32 = 3072 draws, standard error of the std ~ 0.0003.
        var qkv = sd["layers.0.blocks.0.attn.qkv.weight"];
        Assert.InRange(qkv.std().item<float>(), 0.0185, 0.0215);
        Assert.InRange(qkv.mean().item<float>(), -0.002, 0.002);
        Assert.Equal(0f, sd["layers.0.blocks.0.attn.proj.bias"].abs().sum().item<float>());
        // Res-post-norm: every block's norm1/norm2 weight and bias start at 0; other norms at (1, 0).
        foreach (var k in sd.Keys.Where(k => k.Contains(".norm1.") || k.Contains(".norm2.")))
            Assert.Equal(0f, sd[k].abs().sum().item<float>());
        Assert.Equal(32f, sd["patch_embed.norm.weight"].sum().item<float>());
        Assert.Equal(64f, sd["layers.0.downsample.norm.weight"].sum().item<float>());
        // logit_scale = ln 10 per head; q/v biases 0.
        Assert.Equal(Math.Log(10), sd["layers.1.blocks.1.attn.logit_scale"][0, 0, 0].item<float>(), 5);
        Assert.Equal(0f, sd["layers.1.blocks.1.attn.v_bias"].abs().sum().item<float>());
        // Patch-embed conv: U(±1/sqrt(fan_in)), fan_in = 3*2*2 = 12.
        Assert.True(sd["patch_embed.proj.weight"].abs().max().item<float>() <= 1 / Math.Sqrt(12) + 1e-7);
    }

    [Fact]
    public void TheSeedFixesTheModel()
    {
        var a = Build(3); var b = Build(3); var c = Build(4);
        Assert.True(a.Keys.All(k => a[k].equal(b[k]).all().item<bool>()));
        Assert.False(a["layers.0.blocks.0.attn.qkv.weight"].equal(c["layers.0.blocks.0.attn.qkv.weight"]).all().item<bool>());
    }
}
