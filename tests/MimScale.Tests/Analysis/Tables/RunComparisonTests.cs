
using MimScale.Analysis.Tables;

namespace MimScale.Tests.Analysis.Tables;

public class RunComparisonTests
{
    static RunCurve Curve(string name, params (long Step, double Value)[] points) =>
        new(name, points.Select((p, i) => new EvalPoint(p.Step, i + 1, p.Value)).ToList(), 100);

    [Fact]
    public void AlignsRunsByStepWithBestLastAndTheDifference()
    {
        var pre = Curve("pretrained", (10, 0.80), (20, 0.86), (30, 0.85));
        var scratch = Curve("scratch", (10, 0.75), (30, 0.84));
        var c = RunComparison.Build("top1", new[] { pre, scratch });

        Assert.True(c.HigherIsBetter);
        Assert.Equal(new long[] { 10, 20, 30 }, c.Steps);
        Assert.Equal(0.86, c.Summaries[0].Best!.Value.Value);
        Assert.Equal(20, c.Summaries[0].Best!.Value.Step);
        Assert.Equal(0.85, c.Summaries[0].Last!.Value.Value);
        Assert.Null(c.At(1, 20));

        var curve = c.CurveTable();
        Assert.Equal(new[] { "step", "epoch", "pretrained", "scratch", "difference" }, curve.Headers);
        Assert.Equal(new[] { "10", "1", "80.00", "75.00", "+5.00" }, curve.Rows[0]);
        Assert.Equal(new[] { "20", "2", "86.00", "", "" }, curve.Rows[1]);
        Assert.Equal(new[] { "30", "3", "85.00", "84.00", "+1.00" }, curve.Rows[2]);

        var summary = c.SummaryTable();
        Assert.Equal("best pretrained - best scratch = +2.00; last - last = +1.00", summary.Note);
        Assert.Equal(new[] { "scratch", "84.00", "30", "84.00", "30", "100" }, summary.Rows[1]);
    }

    [Fact]
    public void LossesAreLowerIsBetterAndPrintedAsIs()
    {
        var a = new RunCurve("long", new[] { new EvalPoint(250, null, 0.47), new EvalPoint(500, null, 0.44) });
        var b = new RunCurve("short", new[] { new EvalPoint(250, null, 0.46), new EvalPoint(500, null, 0.45) });
        var c = RunComparison.Build("val_loss", new[] { a, b });
        Assert.False(c.HigherIsBetter);
        Assert.Equal(0.44, c.Summaries[0].Best!.Value.Value);
        Assert.Equal(0.45, c.Summaries[1].Best!.Value.Value);
        Assert.Equal(500, c.Summaries[1].Best!.Value.Step);
        var curve = c.CurveTable();
        Assert.Equal(new[] { "step", "long", "short", "difference" }, curve.Headers); // no epochs recorded
        Assert.Equal(new[] { "500", "0.4400", "0.4500", "-0.0100" }, curve.Rows[1]);
        Assert.Equal("best long - best short = -0.0100; last - last = -0.0100", c.SummaryTable().Note);
        Assert.Equal(new[] { "250", "0.4700", "0.4600", "+0.0100" }, curve.Rows[0]);
    }

    [Fact]
    public void ThreeRunsHaveNoDifferenceColumn()
    {
        var c = RunComparison.Build("knn", new[] { Curve("a", (1, 0.5)), Curve("b", (1, 0.6)), Curve("c", (2, 0.7)) });
        Assert.Equal(new[] { "step", "epoch", "a", "b", "c" }, c.CurveTable().Headers);
        Assert.Equal("", c.SummaryTable().Note);
        Assert.Throws<ArgumentException>(() => RunComparison.Build("top1", Array.Empty<RunCurve>()));
    }
}
