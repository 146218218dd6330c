using MimScale.Analysis.Findings;
using MimScale.Analysis.Grid;
using MimScale.Analysis.Report;
using MimScale.Analysis.Results;
using MimScale.Analysis.Tables;
using static MimScale.Tests.Analysis.AnalysisTestData;

namespace MimScale.Tests.Analysis.Tables;

/// <summary>
/// The scratch reference on hand-made results: kept out of the grid, Table 3, Table 7 and the findings (where, taken as
/// a cell, it would change them), and compared with every cell in "Pre-trained minus scratch" with the numbers below.
/// </summary>
public class ScratchReferenceTableTests
{
    static StudyResults S(params RunResult[] runs) => AnalysisTestData.Study(runs);

    // A and B on "small" and "large" at 100 and 200 iterations (finetune_top1 70, 71, 75, 80 for both models).
    static readonly RunResult[] Main =
    [
        .. new[] { "A", "B" }.SelectMany(m => new[]
        {
            Run(m, "small", 100, 0.55, 70.0, 0.50), Run(m, "small", 200, 0.50, 71.0, 0.45),
            Run(m, "large", 100, 0.45, 75.0, 0.44), Run(m, "large", 200, 0.40, 80.0, 0.38),
        }),
    ];

    // A random init scores 72 (A) and 77 (B). A val loss is given on purpose (a random decoder has one): exclusion must
    // come from the arm, not from a missing loss.
    static RunResult Scratch(string model, double metric, int seed = 0, double val = 0.90) =>
        new(model, "scratch (no pre-training)", 0)
        {
            Parameters = model == "A" ? 10 : 100, Seed = seed, Arm = RunArms.Scratch, FinalValLoss = val,
            Metrics = new Dictionary<string, double> { ["finetune_top1"] = metric, ["finetune_top5"] = metric + 20 },
        };

    static readonly RunResult[] References = [Scratch("A", 72.0), Scratch("B", 77.0)];

    [Fact]
    public void TheReferenceLeavesGridTable3Table7AndFindingsAsTheyAreWhereACellWouldNot()
    {
        var without = StudyAnalysis.Analyze(S(Main));
        var with = StudyAnalysis.Analyze(S([.. Main, .. References]));
        var asCells = StudyAnalysis.Analyze(S([.. Main, .. References.Select(r => r with { Arm = null })]));

        Assert.Equal(without.Grid.DataLabels, with.Grid.DataLabels);
        Assert.Equal(without.Grid.Lengths, with.Grid.Lengths);
        Assert.Equal(without.BestMetric!.Entries, with.BestMetric!.Entries);
        Assert.Equal(without.Correlations.Rows.Select(r => (r.Loss, r.Metric, r.Group, r.Stats.N, r.Stats.Pearson)),
            with.Correlations.Rows.Select(r => (r.Loss, r.Metric, r.Group, r.Stats.N, r.Stats.Pearson)));
        Assert.Equal(without.Findings.All.SelectMany(f => f.SubClaims.Select(s => (s.Verdict, s.Numbers))),
            with.Findings.All.SelectMany(f => f.SubClaims.Select(s => (s.Verdict, s.Numbers))));
        Assert.Equal(without.Overfitting.Count, with.Overfitting.Count);

        // Taken as cells the two runs would enter everything: a data column and length 0, Table 3 entries, another r.
        Assert.Contains("scratch (no pre-training)", asCells.Grid.DataLabels);
        Assert.Contains(0L, asCells.Grid.Lengths);
        Assert.NotEqual(without.BestMetric.Entries.Count, asCells.BestMetric!.Entries.Count);
        static double AllR(StudyAnalysis a) => a.Correlations.Rows.Single(r => r.Loss == "val_loss" && r.Metric == "finetune_top1" && r.Group == "all").Stats.Pearson;
        Assert.Equal(-0.9655, AllR(without), 4);   // finetune falls as val loss rises over the 8 cells
        Assert.Equal(-0.2074, AllR(asCells), 4);   // two random inits at val loss 0.9 and 72 / 77 would all but erase it
        Assert.Equal(AllR(without), AllR(with), 12);
    }

    [Fact]
    public void EachCellIsComparedWithItsModelsReferenceOnTheHeadlineMetric()
    {
        var a = StudyAnalysis.Analyze(S([.. Main, .. References]));
        var rows = a.ScratchReference.Rows;
        // Only the headline (finetune_top1), not top-5; grid order: A then B, small then large, 100 then 200.
        Assert.All(rows, r => Assert.Equal("finetune_top1", r.Metric));
        Assert.Equal(new[] { -2.0, -1.0, 3.0, 8.0, -7.0, -6.0, -2.0, 3.0 }, rows.Select(r => Math.Round(r.Difference, 10)));
        Assert.Equal(new[] { 72.0, 72, 72, 72, 77, 77, 77, 77 }, rows.Select(r => r.Scratch));
        Assert.All(rows, r => Assert.True(double.IsNaN(r.PValue)));
        Assert.Equal("Pre-training beat scratch in 3 of 8 comparisons (cell x metric), by at most +8.00 points (A / large / 200, finetune_top1). " +
                     "With one seed per cell and reference the seed noise is not estimated, so no difference is shown to exceed it (list more seeds to test).",
            a.ScratchReference.Sentence());

        var table = ArmTables.PretrainedMinusScratch(a);
        Assert.Equal("Pre-trained minus scratch", table.Title);
        Assert.StartsWith(a.ScratchReference.Sentence(), table.Note);
        Assert.Equal(new[] { "A", "large", "200", "finetune_top1", "80.00", "72.00", "+8.00", "1 / 1", "-" }, table.Rows[3]);
        Assert.Equal(new[] { "B", "small", "100", "finetune_top1", "70.00", "77.00", "-7.00", "1 / 1", "-" }, table.Rows[4]);
        var md = MimScale.Analysis.Report.ReportTables.All(a).Select(t => t.ToMarkdown()).ToList();
        Assert.Equal("### Pre-trained minus scratch", md[1].Split('\n')[0]);   // right after Table 3
        Assert.Contains("| A | large | 200 | finetune_top1 | 80.00 | 72.00 | +8.00 | 1 / 1 | - |", md[1]);
    }

    [Fact]
    public void TheFindingsTableSaysHowToReadTheVerdictsFromTheMeanDifferenceAgainstTheFindingsNoise()
    {
        // Differences -2, -1, 3, 8, -7, -6, -2, 3: mean -0.50, not above the 0.5-point noise of the finding rules.
        var flat = StudyAnalysis.Analyze(S([.. Main, .. References]));
        Assert.Equal("Reading the verdicts: on finetune_top1 the pre-trained cells average -0.50 points against the scratch reference (-7.00 to +8.00 over 8 cells), " +
                     "not more than the findings' noise of 0.5 points: pre-training does not pay downstream at this budget, so the sub-claims on the downstream " +
                     "metric (1 b-c, 2, 3) compare differences that pre-training did not make, and their verdicts describe the budget rather than test the " +
                     "paper's claims (the validation-loss sub-claims, 1 a, stand on their own).", flat.ScratchReference.Reading("finetune_top1", 0.5));
        Assert.EndsWith(flat.ScratchReference.Reading("finetune_top1", 0.5), ReportTables.Findings(flat).Note);

        // Random inits at 60 (A) and 65 (B): differences 10, 11, 15, 20, 5, 6, 10, 15, mean +11.50.
        var pays = StudyAnalysis.Analyze(S([.. Main, Scratch("A", 60.0), Scratch("B", 65.0)]));
        Assert.StartsWith("Reading the verdicts: on finetune_top1 the pre-trained cells average +11.50 points over the scratch reference (+5.00 to +20.00 over 8 cells), " +
                          "more than the findings' noise of 0.5 points: pre-training pays downstream here", pays.ScratchReference.Reading("finetune_top1", 0.5));
        // The threshold is the analysis' own: with a noise of 12 points the same study does not pay.
        var strict = StudyAnalysis.Analyze(S([.. Main, Scratch("A", 60.0), Scratch("B", 65.0)]), new AnalysisOptions(FindingRules: new FindingRules(MinMetricChange: 12)));
        Assert.Contains("not more than the findings' noise of 12 points", ReportTables.Findings(strict).Note);

        // No reference, or none on the metric: nothing is added.
        Assert.Equal("", pays.ScratchReference.Reading("knn_top1", 0.5));
        Assert.Equal("A finding holds when all its sub-claims hold, does not hold when one does not, and has not enough data otherwise. " +
                     "Rules and all numbers: the finding sections.", ReportTables.Findings(StudyAnalysis.Analyze(S(Main))).Note);
    }

    [Fact]
    public void NowhereBetterSaysSoWithTheClosestDifference()
    {
        var a = StudyAnalysis.Analyze(S([.. Main, Scratch("A", 85.0), Scratch("B", 80.0)]));
        Assert.Equal("Pre-training beat scratch nowhere: in all 8 comparisons (cell x metric) the pre-trained value is at or below its model's scratch value; " +
                     "the closest is +0.00 points (B / large / 200, finetune_top1). " +
                     "With one seed per cell and reference the seed noise is not estimated, so no difference is shown to exceed it (list more seeds to test).",
            a.ScratchReference.Sentence());
        Assert.Empty(StudyAnalysis.Analyze(S(Main)).ScratchReference.Rows);
        Assert.DoesNotContain(ReportTables.All(StudyAnalysis.Analyze(S(Main))), t => t.Title == "Pre-trained minus scratch");
    }

    [Fact]
    public void WithSeedsTheDifferenceIsTestedAgainstTheSeedNoise()
    {
        // A / small / 100 over seeds 0-1: 70, 72 (mean 71); A's reference over seeds 0-2: 65, 65.5, 66.5 (mean 65.6667).
        // Welch: t = 4.8800, df = 1.4002, p = 0.0762 (WelchTestTests): a win of +5.33 points within the noise.
        // B / small / 100 over seeds 0-1: 60, 60.2 against 70, 70.4, 70.2 (mean 70.2): -10.1, p far below 0.05.
        var runs = new[]
        {
            Run("A", "small", 100, 0.5, 70.0), Run("A", "small", 100, 0.5, 72.0) with { Seed = 1 },
            Run("B", "small", 100, 0.5, 60.0), Run("B", "small", 100, 0.5, 60.2) with { Seed = 1 },
            Scratch("A", 65.0), Scratch("A", 65.5, 1), Scratch("A", 66.5, 2),
            Scratch("B", 70.0), Scratch("B", 70.4, 1), Scratch("B", 70.2, 2),
        };
        var t = ScratchReferenceTable.Build(new ResultGrid(S(runs)), S(runs), "finetune_top1");
        Assert.Equal(2, t.Rows.Count);
        Assert.Equal((71.0, 2, 3), (t.Rows[0].Pretrained, t.Rows[0].PretrainedRuns, t.Rows[0].ScratchRuns));
        Assert.Equal(65.0 + 2.0 / 3, t.Rows[0].Scratch, 12);
        Assert.Equal(0.0762162725, t.Rows[0].PValue, 8);
        Assert.False(t.Rows[0].BeyondNoise);
        Assert.Equal(-10.1, t.Rows[1].Difference, 10);
        Assert.True(t.Rows[1].BeyondNoise);
        Assert.Equal("Pre-training beat scratch in 1 of 2 comparisons (cell x metric), by at most +5.33 points (A / small / 100, finetune_top1). " +
                     "Beyond the seed noise (Welch t-test over seeds, p < 0.05; 2 of 2 comparisons testable): 0 win(s) and 1 loss(es).", t.Sentence());
        Assert.Equal("0.0762", ArmTables.PretrainedMinusScratch(StudyAnalysis.Analyze(S(runs))).Rows[0][^1]);
    }
}
