using MimScale.Analysis.Findings;
using MimScale.Analysis.Grid;
using MimScale.Analysis.Io;
using MimScale.Analysis.Report;
using MimScale.Analysis.Results;
using MimScale.Analysis.Statistics;
using MimScale.Analysis.Tables;
using static MimScale.Tests.Analysis.AnalysisTestData;

namespace MimScale.Tests.Analysis.Report;

/// <summary>
/// The side-study arms on hand-made results: a class subset (IN100-like) and heavier decoders are no points of the
/// data axis or the grid, leave findings 1-3 exactly as they are, and get their own tables (paper Tables 8 and 9)
/// with the numbers computed by hand below.
/// </summary>
public class ArmTablesTests
{
    static StudyResults S(params RunResult[] runs) => AnalysisTestData.Study(runs);

    // Main grid: A and B on "small" (10%, 100 images) and "large" (100%, 1000 images), lengths 100 and 200.
    static readonly RunResult[] Main =
    [
        .. new[] { "A", "B" }.SelectMany(m => new[]
        {
            Run(m, "small", 100, 0.55, 70.0, 0.50) with { ImageCount = 100 }, Run(m, "small", 200, 0.50, 71.0, 0.45) with { ImageCount = 100 },
            Run(m, "large", 100, 0.45, 75.0, 0.44) with { ImageCount = 1000 }, Run(m, "large", 200, 0.40, 80.0, 0.38) with { ImageCount = 1000 },
        }),
    ];

    // All images of 2 of 20 classes: 100 images, like "small"; no fraction of the base set.
    static RunResult Subset(string model, long t, double val, double metric, double train) =>
        new(model, "2 classes", t)
        {
            Parameters = model == "A" ? 10 : 100, ImageCount = 100, ClassCount = 2, Arm = RunArms.ClassSubset,
            FinalValLoss = val, FinalTrainLoss = train, Metrics = new Dictionary<string, double> { ["finetune_top1"] = metric },
            Curve = [new CurvePoint(t / 2, train + 0.1, val + 0.1), new CurvePoint(t, train, val)],
        };

    static RunResult Heavy(string decoder, int seed, double val, double metric, double train) =>
        Run("A", "large", 200, val, metric, train) with
        {
            ImageCount = 1000,
            Arm = RunArms.Decoder,
            Decoder = decoder,
            Seed = seed,
            Compute = new RunCompute(1e9, 10, "cpu"),
        };

    static readonly RunResult[] Arms =
    [
        Subset("A", 100, 0.57, 69.0, 0.48), Subset("A", 200, 0.52, 70.0, 0.42), Subset("B", 200, 0.49, 72.5, 0.40),
        Heavy("transformer-1", 0, 0.45, 80.5, 0.30),
        Heavy("transformer-2", 0, 0.47, 79.9, 0.28), Heavy("transformer-2", 1, 0.49, 80.3, 0.26),
    ];

    [Fact]
    public void ArmRunsAreNoPointOfTheDataAxisOrTheGridAndLeaveTheFindingsAsTheyAre()
    {
        var with = S([.. Main, .. Arms]);
        var grid = new ResultGrid(with);
        Assert.Equal(new[] { "small", "large" }, grid.DataLabels);
        Assert.Single(grid.Cell("A", "large", 200)!.Runs);                // the heavier decoders are not averaged in as seeds
        Assert.Equal(0.40, grid.Cell("A", "large", 200)!.ValLoss!.Value, 12);
        var axis = DataAxis.Of(grid, new FindingRules());
        Assert.Equal(new[] { "small", "large" }, axis.Labels);
        Assert.Empty(axis.LeftOut);
        // Even with a single fraction (where every data label used to join the axis) the class subset stays off.
        var oneFraction = new ResultGrid(S([.. Main.Where(r => r.DataLabel == "large"), .. Arms]));
        Assert.Equal(new[] { "large" }, DataAxis.Of(oneFraction, new FindingRules()).Labels);

        var a = FindingsEvaluator.Evaluate(S(Main), "finetune_top1");
        var b = FindingsEvaluator.Evaluate(with, "finetune_top1");
        Assert.Equal(a.All.SelectMany(f => f.SubClaims.Select(s => (s.Verdict, s.Numbers))), b.All.SelectMany(f => f.SubClaims.Select(s => (s.Verdict, s.Numbers))));
        var analysis = StudyAnalysis.Analyze(with);
        Assert.Equal(Main.Length, analysis.Overfitting.Count);
        Assert.Equal(StudyAnalysis.Analyze(S(Main)).Correlations.Rows.Select(r => r.Stats.Pearson), analysis.Correlations.Rows.Select(r => r.Stats.Pearson));
    }

    [Fact]
    public void Table9PairsTheClassSubsetWithTheFractionOfTheNearestSize()
    {
        var t = ClassSubsetArmTable.Build(S([.. Main, .. Arms]), "finetune_top1");
        Assert.Equal(new[] { ("A", 100L), ("A", 200L), ("B", 200L) }, t.Pairs.Select(p => (p.Model, p.Iterations)));
        Assert.All(t.Pairs, p => Assert.Equal("small", p.Matched!.DataLabel));    // 100 images, not the 1000 of "large"
        var block = ArmTables.Table9(StudyAnalysis.Analyze(S([.. Main, .. Arms])));
        // A @200: subset 0.52 / 70.0 / train 0.42 vs small 0.50 / 71.0 / 0.45.
        Assert.Equal(new[] { "A", "200", "class subset", "2 classes", "100", "0.4200", "0.5200", "70.00" }, block.Rows[3]);
        Assert.Equal(new[] { "A", "200", "class-balanced", "small", "100", "0.4500", "0.5000", "71.00" }, block.Rows[4]);
        Assert.Equal(new[] { "A", "200", "difference", "class subset - class-balanced", "+0", "-0.0300", "+0.0200", "-1.00" }, block.Rows[5]);
        // Without an image count there is nothing to match.
        var blind = ClassSubsetArmTable.Build(S([.. Main, Subset("A", 200, 0.52, 70.0, 0.42) with { ImageCount = null }]), "finetune_top1");
        Assert.Null(Assert.Single(blind.Pairs).Matched);
    }

    [Fact]
    public void Table8ComparesEachDecoderWithTheLinearRunOfTheMainGrid()
    {
        var t = DecoderArmTable.Build(S([.. Main, .. Arms]), "finetune_top1");
        Assert.Equal(new[] { "linear", "transformer-1", "transformer-2" }, t.Rows.Select(r => r.Decoder));
        Assert.All(t.Rows, r => Assert.Equal(("A", "large", 200L), (r.Model, r.DataLabel, r.Iterations)));
        var (lin, t1, t2) = (t.Rows[0], t.Rows[1], t.Rows[2]);
        Assert.Equal((1, 0.38, 0.40, 80.0), (lin.Runs, lin.TrainLoss!.Value, lin.ValLoss!.Value, lin.Metric!.Value));
        Assert.Null(lin.MetricDelta);
        Assert.Equal(0.5, t1.MetricDelta!.Value, 10);                    // 80.5 - 80.0
        Assert.Equal(2, t2.Runs);                                         // two seeds averaged
        Assert.Equal(0.27, t2.TrainLoss!.Value, 10);                      // (0.28 + 0.26) / 2
        Assert.Equal(0.48, t2.ValLoss!.Value, 10);                        // (0.47 + 0.49) / 2
        Assert.Equal(0.1, t2.MetricDelta!.Value, 10);                     // (79.9 + 80.3) / 2 - 80.0
        var block = ArmTables.Table8(StudyAnalysis.Analyze(S([.. Main, .. Arms])));
        Assert.Equal(new[] { "A", "large", "200", "transformer-2", "2", "0.2700", "0.4800", "80.10", "+0.10" }, block.Rows[2]);
    }

    [Fact]
    public void TheReportShowsTheArmTablesAndCurvesOnlyWhenTheStudyHasArms()
    {
        using var tmp = new TempFolder();
        var files = ReportWriter.Write(S([.. Main, .. Arms]), tmp.Path);
        var md = File.ReadAllText(files.MarkdownPath);
        Assert.Contains("### Table 8: decoder size", md);
        Assert.Contains("### Table 9: class subset vs class-balanced subset", md);
        Assert.Contains("(6 in side-study arms, apart from the grid)", md);
        Assert.Contains("| A | large [decoder transformer-2] | 200 | 1 |", md);   // per-run tables tell the arm runs apart
        var plots = files.PlotPaths.Select(Path.GetFileName).ToList();
        Assert.Contains("class-subset-a-2-classes.png", plots);
        Assert.Contains("class-subset-b-2-classes.png", plots);
        // The decoder runs have no curves here: that figure has no points and is skipped.
        Assert.DoesNotContain(plots, p => p!.StartsWith("decoder-", StringComparison.Ordinal));

        using var plain = new TempFolder();
        var none = File.ReadAllText(ReportWriter.Write(S(Main), plain.Path, new AnalysisOptions(Plots: false)).MarkdownPath);
        Assert.DoesNotContain("Table 8", none);
        Assert.DoesNotContain("Table 9", none);
    }

    [Fact]
    public void ArmFieldsSurviveTheResultsJson()
    {
        using var tmp = new TempFolder();
        var path = Path.Combine(tmp.Path, "results.json");
        StudyResultsJson.Save(S([.. Main, .. Arms]), path);
        var back = StudyResultsJson.Load(path);
        Assert.Equal(Arms.Select(r => (r.Arm, r.Decoder, r.ClassCount)), back.Runs.Where(r => r.Arm is not null).Select(r => (r.Arm, r.Decoder, r.ClassCount)));
        Assert.Equal(Main.Length, back.MainRuns().Runs.Count);
    }
}
