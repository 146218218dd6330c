using MimScale.Training.Schedules;

namespace MimScale.Tests.Training.Schedules;

/// <summary>mmdet's LinearLR + epoch MultiStepLR chain, values computed by hand from mmengine's closed forms.</summary>
public class MultiStepScheduleTests
{
    [Fact]
    public void WarmUpReachesTheBaseRateAtIterationEndMinusOneAndMilestonesCountWholeEpochs()
    {
        // end = 5: factor 0.001 + 0.999 * k / 4; 10 iterations per epoch, x0.1 from epochs 2 and 3.
        var s = new MultiStepSchedule(1e-3, 5, 10, new[] { 2, 3 }).Validate();
        Assert.Equal(1e-6, s.Rate(0), 15);
        Assert.Equal(1e-3 * (0.001 + 0.999 * 0.25), s.Rate(1), 15);
        Assert.Equal(1e-3 * (0.001 + 0.999 * 0.75), s.Rate(3), 15);
        Assert.Equal(1e-3, s.Rate(4), 15);
        Assert.Equal(1e-3, s.Rate(19), 15);      // last iteration of epoch 1
        Assert.Equal(1e-4, s.Rate(20), 15);      // epoch 2
        Assert.Equal(1e-4, s.Rate(29), 15);
        Assert.Equal(1e-5, s.Rate(30), 15);      // epoch 3
        Assert.Equal(2e-5, s.Rate(35, groupScale: 2), 15);
    }

    [Fact]
    public void ThePaperScheduleDecaysAtEpochs27And33Of36()
    {
        var s = new MultiStepSchedule(8e-5, 1000, 100, new[] { 27, 33 });
        Assert.Equal(8e-5, s.Rate(2699), 15);
        Assert.Equal(8e-6, s.Rate(2700), 15);
        Assert.Equal(8e-7, s.Rate(3300), 15);
        Assert.Equal(8e-8, s.Rate(999) / 1000, 15);   // warm-up complete at end - 1 = 999
        Assert.Throws<ArgumentException>(() => new MultiStepSchedule(1e-4, 10, 0, new[] { 1 }).Validate());
    }
}
