using MimScale.Analysis.Report;
using MimScale.Analysis.Results;
using MimScale.Analysis.Statistics;
using MimScale.Analysis.Tables;
using MimScale.Tests.Analysis;
using static MimScale.Tests.Analysis.AnalysisTestData;

namespace MimScale.Tests.Analysis.Tables;

/// <summary>
/// Table 7 over a study's dense metrics beside its classification one: a row per downstream metric and loss, with n,
/// also while a metric has a single run (as a one-cell dense study does).
/// </summary>
public class CorrelationTableTests
{
    // val = [0.1 .. 0.5], train = val + [0, .1, -.1, .05, 0] (ProxyFindingTests' runs); Pearson by hand with python3's
    // statistics.correlation: r(val, 100 - 100 val) = -1, r(train, 100 - 100 val) = r(val, 50 - 10 train) = -0.8976656234.
    internal static readonly double[] Val = [0.1, 0.2, 0.3, 0.4, 0.5], Train = [0.1, 0.3, 0.2, 0.45, 0.5], Y = [2, 4, 5, 4, 5];

    /// <summary>Five runs with top-1, mIoU (= 100 - 100 val) and box AP (= 50 - 10 train); mask AP on the first run only.</summary>
    internal static StudyResults DenseStudy() => AnalysisTestData.Study(Enumerable.Range(0, 5).Select(i => Run("A", "small", 100 * (i + 1), Val[i], 10 - Y[i], Train[i]) with
    {
        Metrics = new Dictionary<string, double>
        {
            ["finetune_top1"] = 10 - Y[i], ["segmentation_miou"] = 100 - 100 * Val[i], ["detection_box_ap"] = 50 - 10 * Train[i],
        }.Concat(i == 0 ? [KeyValuePair.Create("detection_mask_ap", 1.5)] : []).ToDictionary(),
    }).ToArray());

    [Fact]
    public void EveryDownstreamMetricHasItsValAndTrainLossRowsWithN()
    {
        var t = StudyAnalysis.Analyze(DenseStudy(), new AnalysisOptions(Plots: false)).Correlations;
        Assert.Equal((5, -1.0), (t.Find("val_loss", "segmentation_miou", CorrelationTable.All)!.Stats.N,
            Math.Round(t.Find("val_loss", "segmentation_miou", CorrelationTable.All)!.Stats.Pearson, 10)));
        Assert.Equal(-0.8976656234, t.Find("train_loss", "segmentation_miou", CorrelationTable.All)!.Stats.Pearson, 9);
        Assert.Equal(-0.8976656234, t.Find("val_loss", "detection_box_ap", CorrelationTable.All)!.Stats.Pearson, 9);
        Assert.Equal(-1.0, t.Find("train_loss", "detection_box_ap", CorrelationTable.All)!.Stats.Pearson, 10);
        Assert.Equal(-0.7745966692, t.Find("val_loss", "finetune_top1", CorrelationTable.All)!.Stats.Pearson, 9);

        // One run has mask AP: its "all" rows are there with n = 1 and no coefficient; per-model rows need two runs.
        var single = t.Find("val_loss", "detection_mask_ap", CorrelationTable.All)!.Stats;
        Assert.Equal(1, single.N);
        Assert.True(double.IsNaN(single.Pearson));
        Assert.NotNull(t.Find("train_loss", "detection_mask_ap", CorrelationTable.All));
        Assert.Null(t.Find("val_loss", "detection_mask_ap", CorrelationTable.ModelGroup("A")));
        Assert.NotNull(t.Find("val_loss", "detection_box_ap", CorrelationTable.ModelGroup("A")));
        Assert.Equal(["finetune_top1", "segmentation_miou", "detection_box_ap", "detection_mask_ap"],
            t.Rows.Where(r => r.Group == CorrelationTable.All && r.Loss == "val_loss").Select(r => r.Metric));
    }

    [Fact]
    public void TheReportsTable7ShowsTheDenseRows()
    {
        var block = ReportTables.Table7(StudyAnalysis.Analyze(DenseStudy(), new AnalysisOptions(Plots: false)));
        Assert.Contains(block.Rows, r => r.Take(5).SequenceEqual(["val_loss", "segmentation_miou", "all", "5", "-1.0000"]));
        Assert.Contains(block.Rows, r => r.Take(5).SequenceEqual(["train_loss", "detection_box_ap", "all", "5", "-1.0000"]));
        Assert.Contains(block.Rows, r => r.Take(7).SequenceEqual(["val_loss", "detection_mask_ap", "all", "1", "n/a", "n/a", "n/a"]));
    }
}
