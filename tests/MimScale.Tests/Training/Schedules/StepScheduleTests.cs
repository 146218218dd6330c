using MimScale.Training.Pretraining;
using MimScale.Training.Schedules;

namespace MimScale.Tests.Training.Schedules;

public class ScheduleTests
{
    [Fact]
    public void WarmupConstantThenDecayAtSevenEighths()
    {
        // base 4e-4 and warm-up 2e-6 (the official values at batch 2048), 10 warm-up iterations, T = 80.
        var s = StepSchedule.ForLength(4e-4, 2e-6, 10, 80);
        Assert.Equal(70, s.Milestone);
        Assert.Equal(2e-6, s.At(0), 15);
        Assert.Equal(2e-6 + 5 * (4e-4 - 2e-6) / 10, s.At(5), 15);   // 2.01e-4
        Assert.Equal(4e-4, s.At(10), 15);
        Assert.Equal(4e-4, s.At(69), 15);
        Assert.Equal(4e-5, s.At(70), 15);
        Assert.Equal(4e-5, s.At(79), 15);
        // Official call order: iteration k trains with At(k-1); iteration 0 with the warm-up rate.
        Assert.Equal(2e-6, s.ForIteration(0), 15);
        Assert.Equal(2e-6, s.ForIteration(1), 15);
        Assert.Equal(4e-4, s.ForIteration(70), 15);
        Assert.Equal(4e-5, s.ForIteration(71), 15);
    }

    [Fact]
    public void RunsOfDifferentLengthsShareEveryRateBeforeTheirBranchPoint()
    {
        var lengths = new long[] { 125_000, 250_000, 500_000 };
        var plan = new TrunkPlan(lengths);
        var trunk = new StepSchedule(4e-4, 2e-6, 6_250, Milestone: null);
        foreach (var t in lengths)
        {
            var s = StepSchedule.ForLength(4e-4, 2e-6, 6_250, t);
            for (long k = 0; k <= plan.BranchPoint(t); k += 997) Assert.Equal(trunk.ForIteration(k), s.ForIteration(k));
            Assert.Equal(trunk.ForIteration(plan.BranchPoint(t)), s.ForIteration(plan.BranchPoint(t)));
            Assert.NotEqual(trunk.ForIteration(plan.BranchPoint(t) + 1), s.ForIteration(plan.BranchPoint(t) + 1));
        }
        Assert.Equal(new long[] { 109_375, 218_750, 437_500 }, lengths.Select(plan.BranchPoint));
        Assert.Equal(437_500, plan.TrunkIterations);
        Assert.Equal(546_875, plan.TotalIterations);     // instead of 875,000
        Assert.Equal(875_000, plan.IndependentIterations);
    }

    [Fact]
    public void ScaledLearningRateFollowsTheOfficialLinearRule()
    {
        var c = new PretrainConfig { BatchSize = 128, Accumulation = 16, BaseLr = 1e-4, WarmupLr = 5e-7 };
        Assert.Equal(2048, c.TotalBatch);
        Assert.Equal(4e-4, c.ScaledLr, 15);
        Assert.Equal(2e-6, c.ScaledWarmupLr, 15);
    }
}
