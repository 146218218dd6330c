using MimScale.Data.Random;
using MimScale.Dense.Scenes;

namespace MimScale.Tests.Dense.Scenes;

/// <summary>The composer pastes exactly each item's thresholded pixels, in order, and its maps say so.</summary>
public class SceneComposerTests
{
    static readonly SyntheticItems Items = new();
    static readonly SceneOptions Options = new(Size: 48, MinItems: 3, MaxItems: 6, MinScale: 0.3, MaxScale: 0.7);

    [Fact]
    public void BilinearResizeUsesHalfPixelCentres()
    {
        // 2x2 -> 4x4, align_corners=False: source coords -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        byte[] r = SceneComposer.Resize(new byte[] { 0, 100, 200, 40 }, 2, 4);
        Assert.Equal(new byte[] { 0, 25, 75, 100 }, r[..4]);               // row at y = 0
        Assert.Equal(new byte[] { 200, 160, 80, 40 }, r[12..]);            // output row 3 = source row 1
        Assert.Equal(59, r[5]); // source (0.25, 0.25): 0.75*(0.75*0+0.25*100) + 0.25*(0.75*200+0.25*40) = 58.75
    }

    [Fact]
    public void TheInstanceMapIsThePlacementsForegroundsInPasteOrder()
    {
        for (int index = 0; index < 8; index++)
        {
            var rng = DataRng.For(5, RandomStream.Synthetic, 1, index);
            var scene = SceneComposer.Compose(Items, Options, ref rng);
            int s = scene.Size;
            Assert.InRange(scene.Placements.Count, 3, 6);

            // Rebuild the instance map from the placements alone: each item's mask, later ones on top.
            var expected = new ushort[s * s];
            for (int k = 0; k < scene.Placements.Count; k++)
            {
                var p = scene.Placements[k];
                Assert.Equal(Items.Label(p.ItemIndex), p.Class);
                Assert.InRange(p.Side, Options.MinSide, Options.MaxSide);
                Assert.True(p.X >= 0 && p.Y >= 0 && p.X + p.Side <= s && p.Y + p.Side <= s);
                var mask = SceneComposer.Foreground(Items.Pixels(p.ItemIndex), Items.Side, p.Side, Options.Threshold);
                var patch = SceneComposer.Resize(Items.Pixels(p.ItemIndex), Items.Side, p.Side);
                Assert.Contains(true, mask);
                Assert.Contains(false, mask); // the dim rim stays background
                for (int y = 0; y < p.Side; y++)
                    for (int x = 0; x < p.Side; x++)
                        if (mask[y * p.Side + x]) expected[(p.Y + y) * s + p.X + x] = (ushort)(k + 1);
                // Visible pixels carry the item's tinted intensity.
                for (int y = 0; y < p.Side; y++)
                    for (int x = 0; x < p.Side; x++)
                    {
                        int o = (p.Y + y) * s + p.X + x;
                        if (scene.InstanceMap[o] != k + 1) continue;
                        byte v = patch[y * p.Side + x];
                        Assert.Equal(SceneComposer.Shade(p.Tint.R, v), scene.Rgb[3 * o]);
                        Assert.Equal(SceneComposer.Shade(p.Tint.B, v), scene.Rgb[3 * o + 2]);
                    }
            }
            Assert.Equal(expected, scene.InstanceMap);

            var semantic = scene.Semantic();
            for (int i = 0; i < s * s; i++)
                Assert.Equal(expected[i] == 0 ? 0 : scene.Placements[expected[i] - 1].Class + 1, semantic.Values[i]);
            Assert.Equal(scene.InstanceMap.Count(v => v != 0), scene.VisibleAreas().Sum());
        }
    }

    [Fact]
    public void TheSameStreamGivesTheSameSceneAndAnotherStreamAnother()
    {
        var a = DataRng.For(1, RandomStream.Synthetic, 0, 3);
        var b = DataRng.For(1, RandomStream.Synthetic, 0, 3);
        var c = DataRng.For(2, RandomStream.Synthetic, 0, 3);
        var sa = SceneComposer.Compose(Items, Options, ref a);
        var sb = SceneComposer.Compose(Items, Options, ref b);
        var sc = SceneComposer.Compose(Items, Options, ref c);
        Assert.Equal(sa.Rgb, sb.Rgb);
        Assert.Equal(sa.Placements, sb.Placements);
        Assert.NotEqual(sa.Rgb, sc.Rgb);
    }
}
