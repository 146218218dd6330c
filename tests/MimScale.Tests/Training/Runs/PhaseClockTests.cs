using MimScale.Training.Runs;

namespace MimScale.Tests.Training.Runs;

public class PhaseClockTests
{
    [Fact]
    public void TakeReturnsEachPhaseSinceThePreviousTake()
    {
        var clock = new PhaseClock();
        Assert.Equal(7, clock.Data(() => { Thread.Sleep(30); return 7; }));
        var first = clock.Take();
        Assert.True(first.DataSeconds >= 0.029, $"{first.DataSeconds}");
        Assert.Equal(0, first.StepSeconds);
        clock.Step(() => { Thread.Sleep(20); return 0; });
        var second = clock.Take();
        Assert.Equal(0, second.DataSeconds);
        Assert.True(second.StepSeconds >= 0.019, $"{second.StepSeconds}");
        Assert.True(clock.DataTotal.TotalSeconds >= 0.029 && clock.StepTotal.TotalSeconds >= 0.019);
    }

    [Fact]
    public void OtherIsTheRestOfTheIntervalAndNeverNegative()
    {
        Assert.Equal(0.25, new IntervalPhases(0.25, 0.5).OtherSeconds(1.0), 12);
        Assert.Equal(0, new IntervalPhases(0.75, 0.5).OtherSeconds(1.0));
    }

    [Fact]
    public void APhaseThatThrowsStillStopsItsClock()
    {
        var clock = new PhaseClock();
        Assert.Throws<InvalidOperationException>(() => clock.Step<int>(() => throw new InvalidOperationException("step failed")));
        double stopped = clock.StepTotal.TotalSeconds;
        Thread.Sleep(10);
        Assert.Equal(stopped, clock.StepTotal.TotalSeconds);
    }
}
