using MimScale.Data.Random;
using MimScale.Dense.Detection.Data;
using MimScale.Dense.Detection.Training;
using MimScale.Training.Runs;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Data;

public class DetectionTransformTests(DetectionScenes scenes) : IClassFixture<DetectionScenes>
{
    [Fact]
    public void BoxesOfMasksAreTightWithExclusiveRightAndBottomAndEmptyMasksDrop()
    {
        using var scope = NewDisposeScope();
        var masks = zeros(new long[] { 3, 6, 8 }, ScalarType.Byte);
        masks[0, 1..3, 2..5] = ones(2, 3, ScalarType.Byte);   // rows 1-2, columns 2-4
        masks[2, 5, 7] = ones(1, ScalarType.Byte)[0];          // one pixel in the corner
        var (boxes, keep) = DetectionTransform.BoxesOfMasks(masks);
        Assert.Equal(new[] { 0, 2 }, keep);
        Assert.Equal(new float[] { 2, 1, 5, 3, 7, 5, 8, 6 }, boxes.reshape(-1).data<float>().ToArray());
    }

    [Fact]
    public void TrainingSamplesAreSeededPaddedToSizeAndTheirTargetsFitTheCrop()
    {
        using var scope = NewDisposeScope();
        var (ann, img, _, _) = scenes.Tiny.DataPaths();
        var data = DetectionDataset.Load(ann, img);
        Assert.Equal(4, data.Images.Count);
        Assert.Equal(new[] { "square", "disk", "cross" }, data.ClassNames);
        var t = DetectionRun.Transform(scenes.Tiny);
        for (int i = 0; i < 6; i++)
        {
            var r1 = DataRng.For(1, RandomStream.Augment, 0, i);
            var r2 = DataRng.For(1, RandomStream.Augment, 0, i);
            using var a = t.Train(data.Images[i % 4], ref r1);
            using var b = t.Train(data.Images[i % 4], ref r2);
            Assert.True(a.Image.eq(b.Image).all().item<bool>());
            Assert.Equal(new long[] { 3, 64, 64 }, a.Image.shape);
            var (h, w) = a.ImageHw;
            Assert.InRange(h, 1, 64);
            var truth = a.Truth!;
            Assert.Equal(truth.Count, truth.Labels.shape[0]);
            Assert.Equal(new long[] { truth.Count, 64, 64 }, truth.Masks.shape);
            if (truth.Count == 0) continue;
            Assert.True(truth.Boxes[.., 2].le(w).all().item<bool>() && truth.Boxes[.., 3].le(h).all().item<bool>());
            // Masks lie inside the crop; the pad holds none of them.
            Assert.Equal(truth.Masks.sum().item<long>(), truth.Masks[.., ..h, ..w].sum().item<long>());
        }
        // Identity jitter without flip keeps the scene: a 64-px scene at ratio 1 is neither resized nor cropped.
        var still = t with { MinRatio = 1, MaxRatio = 1, FlipProbability = 0 };
        var rng = DataRng.For(1, RandomStream.Augment, 0, 0);
        using var s0 = still.Train(data.Images[0], ref rng);
        using var test = still.Test(data.Images[0]);
        Assert.True(s0.Image.eq(test.Image).all().item<bool>());
        Assert.Equal(data.Images[0].Labels.Length, (int)s0.Truth!.Count);
    }
}
