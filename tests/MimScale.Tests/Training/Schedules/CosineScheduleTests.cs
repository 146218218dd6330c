using MimScale.Training.Finetuning;
using MimScale.Training.Optim;
using MimScale.Training.Schedules;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace MimScale.Tests.Training.Schedules;

public class CosineScheduleTests
{
    // base 1e-3, warmup_lr 1e-6, min_lr 1e-5, 10 warm-up updates of 110.
    static readonly CosineSchedule Prefix = new(1e-3, 1e-6, 1e-5, 10, 110, WarmupPrefix: true);

    [Fact]
    public void WarmupPrefixValuesAtHandComputedSteps()
    {
        Assert.Equal(1e-6, Prefix.At(0), 15);
        Assert.Equal(5.005e-4, Prefix.At(5), 15);                  // 1e-6 + 5 (1e-3 - 1e-6) / 10
        Assert.Equal(1e-3, Prefix.At(10), 15);                     // cosine starts at its top: no drop after warm-up
        Assert.Equal(8.550178566873411e-4, Prefix.At(35), 15);     // 1e-5 + 0.5 (9.9e-4)(1 + cos(pi/4))
        Assert.Equal(5.05e-4, Prefix.At(60), 15);                  // half way: 1e-5 + 0.5 x 9.9e-4
        Assert.Equal(1e-5, Prefix.At(110), 15);                    // past the cycle: lr_min
        // Official call order: iteration k trains with At(k-1), iteration 0 with warmup_lr.
        Assert.Equal(1e-6, Prefix.ForIteration(0), 15);
        Assert.Equal(1e-6, Prefix.ForIteration(1), 15);
        Assert.Equal(5.005e-4, Prefix.ForIteration(6), 15);
    }

    [Fact]
    public void WithoutPrefixTheCosineRunsOverAbsoluteStepsAndDropsAfterWarmup()
    {
        var s = Prefix with { WarmupPrefix = false };
        Assert.Equal(110, s.CosineLength);
        Assert.Equal(9.001e-4, s.At(9), 15);
        Assert.Equal(9.799490219e-4, s.At(10), 12);                // 1e-5 + 0.5 (9.9e-4)(1 + cos(pi/11)) < 1e-3
        Assert.Equal(5.05e-4, s.At(55), 15);
    }

    [Fact]
    public void GroupRatesScaleTheBaseButNotWarmupAndMinimum()
    {
        // A group with layer scale 0.25: base 2.5e-4; warmup_lr and min_lr stay 1e-6 and 1e-5 (SPEC §5.2).
        Assert.Equal(1e-6, Prefix.At(0, 2.5e-4), 15);
        Assert.Equal(1.255e-4, Prefix.At(5, 2.5e-4), 15);          // not 0.25 x 5.005e-4 = 1.25125e-4
        Assert.Equal(1.3e-4, Prefix.At(60, 2.5e-4), 15);           // 1e-5 + 0.5 (2.4e-4), not 0.25 x 5.05e-4
        Assert.Equal(1e-5, Prefix.At(110, 2.5e-4), 15);
        // The official SwinV2-B values at batch 2048 (5e-3, 1e-6, 1e-6; 20 of 100 epochs warm-up).
        var b = new CosineSchedule(5e-3, 1e-6, 1e-6, 20 * 625, 100 * 625);
        Assert.Equal(5e-3 * Math.Pow(0.75, 25), b.At(20 * 625, 5e-3 * Math.Pow(0.75, 25)), 15);
        Assert.Equal(1e-6 + 0.5 * (5e-3 - 1e-6), b.At(60 * 625), 15);
    }

    [Fact]
    public void EachOptimizerGroupMovesByItsOwnAbsoluteRate()
    {
        // Two parameters, depths [1, 1]: head.weight has id 3 (scale 1), the block weight id 1 (scale 0.5^2).
        var head = new Parameter(torch.zeros(2, 2));
        var block = new Parameter(torch.zeros(2, 2));
        var groups = ParameterGroups.Finetuning(new[] { ("head.weight", head), ("layers.0.blocks.0.mlp.fc1.weight", block) }, new[] { 1, 1 }, 0.0, 0.5);
        Assert.Equal(new[] { 0.25, 1.0 }, groups.Select(g => g.LrScale));
        var step = new TrainStep(new MimScale.Training.Optim.AdamW(groups), clipGrad: 0);
        for (long k = 0; k <= 6; k++)
        {
            var before = (head.data<float>().ToArray(), block.data<float>().ToArray());
            // d(sum p)/dp = 1: Adam's first moments give steps of lr x g/|g|, later ones lr x (m/sqrt(v)) = lr as well.
            using (NewDisposeScope()) step.Run(new Func<Tensor>[] { () => head.sum() + block.sum() }, Prefix, k);
            double headStep = before.Item1[0] - head.data<float>()[0], blockStep = before.Item2[0] - block.data<float>()[0];
            Assert.Equal(Prefix.ForIteration(k), headStep, 1e-9);
            Assert.Equal(Prefix.ForIteration(k, 2.5e-4), blockStep, 1e-9);
        }
        Assert.Equal(1.255e-4, Prefix.Rate(6, groups[0].LrScale), 15);
    }
}
