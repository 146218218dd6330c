using MimScale.Analysis.Findings;
using MimScale.Analysis.Grid;
using MimScale.Analysis.Io;
using MimScale.Analysis.Report;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Study.Spec;
using MimScale.Tests.Data;

namespace MimScale.Tests.Study;

/// <summary>
/// <c>data.other_sources</c>: another data set (ImageNet-22K) on the data axis next to the base set's fractions, with its
/// own training images, the base set's validation and evaluation sources, and no effect on the keys of the base cells.
/// </summary>
public class OtherSourcesTests
{
    private const string Others = """

          other_sources:
            - name: Big-22K
              source: pattern:big
        """;

    private static string WithOthers(string spec, string others = Others) =>
        spec.Replace("  fractions: [0.1, 0.5]\n", "  fractions: [0.1, 0.5]" + others.TrimEnd() + "\n");

    private static StudyPlan Plan(string text) => StudyPlanner.Plan(StudySpecReader.Parse(text, "t.yaml"), new ManifestResolver(null, StudyTestData.Open), "test-1");

    [Fact]
    public void AnOtherDataSetIsTheLastPointOfTheDataAxisAndKeepsTheBaseCellsKeys()
    {
        var baseline = Plan(StudyTestData.Spec());
        var spec = StudySpecReader.Parse(WithOthers(StudyTestData.Spec()), "t.yaml");
        Assert.Equal(new[] { "Pattern 10%", "Pattern 50%", "Big-22K" }, spec.Data.Variants.Select(spec.Data.Label));
        Assert.Equal(2 * 3 * 2, spec.CellCount);

        var plan = Plan(WithOthers(StudyTestData.Spec()));
        Assert.Equal(baseline.Cells.Select(c => c.Key), plan.Cells.Where(c => c.Data.Variant.SourceName is null).Select(c => c.Key));
        var other = plan.Cells.Where(c => c.Data.Label == "Big-22K").ToList();
        Assert.Equal(4, other.Count);
        Assert.Matches("^swinv2-pico-big-22k-f1-400-s0-[0-9a-f]{10}$", other[0].Key);
        Assert.Matches("^swinv2-pico-big-22k-f1-s0-[0-9a-f]{10}$", other[0].TrunkKey);
        var data = other[0].Data;
        Assert.Equal(("pattern:big", "pattern:test", "pattern:train"), (data.Source, data.ValSource, data.EvalSource));
        Assert.Null(data.Fraction);                       // no fraction of the base set: the analysis places it by images
        Assert.Equal(1.0, data.SubsetFraction);
        Assert.Equal(200, data.ImageCount);
        Assert.Equal("pattern:big", plan.Trunks.Single(t => t.Key == other[0].TrunkKey).Config.Source);
        Assert.Contains("\"source\":\"pattern:big\"", other[0].ConfigJson);
        Assert.Contains("other data set on the data axis: Big-22K from pattern:big", PlanText.Format(plan, new ComputeRate(2.0)));
    }

    [Fact]
    public void AFractionOfAnOtherDataSetIsDrawnFromItsOwnSourceAndLabelledWithIt()
    {
        var plan = Plan(WithOthers(StudyTestData.Spec(), Others + "\n      fractions: [0.5]"));
        var half = plan.Trunks.First(t => t.Data.Label == "Big-22K 50%");
        Assert.Equal(100, half.Data.ImageCount);          // 50% of the 200 pattern images, class-balanced
        Assert.Equal("big-22k-f0.5", half.Data.Variant.Slug);
        Assert.Null(half.Data.Fraction);
        // Unresolved (no data read): the engine draws the subset of the other source itself.
        var unresolved = StudyPlanner.Plan(StudySpecReader.Parse(WithOthers(StudyTestData.Spec(), Others + "\n      fractions: [0.5]"), "t.yaml"), null, "v");
        var config = unresolved.Trunks.First(t => t.Data.Label == "Big-22K 50%").Config;
        Assert.Equal(("pattern:big", 0.5), (config.Source, config.Fraction));
    }

    [Theory]
    [InlineData("\n  other_sources:\n    - name: Pattern\n      source: pattern:big", "data set name 'Pattern' is used twice")]
    [InlineData("\n  other_sources:\n    - name: Same\n      source: pattern:train", "source 'pattern:train' is already on the data axis")]
    [InlineData("\n  other_sources:\n    - source: pattern:big", "needs a 'name'")]
    [InlineData("\n  other_sources:\n    - name: X\n      source: pattern:big\n      fractons: [1.0]", "fractons")]
    [InlineData("\n  other_sources:\n    - name: X\n      source: pattern:big\n      fractions: [1.5]", "fraction 1.5 of X must be in (0, 1]")]
    public void ABadOtherSourceFailsNamingTheProblem(string others, string expected)
    {
        var e = Assert.Throws<StudySpecException>(() => StudySpecReader.Parse(WithOthers(StudyTestData.Spec(), others), "o.yaml"));
        Assert.Contains(expected, e.Message);
        Assert.Equal("o.yaml", e.File);
    }

    [Fact]
    public void InTheResultsTheOtherDataSetFollowsTheWholeBaseSetAndFindingsLeaveItOutByDefault()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var spec = WithOthers(StudyTestData.Spec(fractions: "[0.1, 0.5]"));
        var plan = StudyRunner.PlanFor(StudySpecReader.Parse(spec, "t.yaml"), folder, StudyTestData.Open, "v1");
        new StudyRunner(new FakeStudyExecutor(), TextWriter.Null).Run(plan, folder, default, new AnalysisOptions(Metric: "finetune_top1", Plots: false));

        var results = StudyResultsJson.Load(folder.ResultsJsonPath);
        var big = results.Runs.Where(r => r.DataLabel == "Big-22K").ToList();
        Assert.Equal(4, big.Count);
        Assert.All(big, r => Assert.True(r.DataFraction is null && r.ImageCount == 200));
        var grid = new ResultGrid(results);
        Assert.Equal(new[] { "Pattern 10%", "Pattern 50%", "Big-22K" }, grid.DataLabels);   // by image count: 20, 100, 200
        var axis = DataAxis.Of(grid, new FindingRules());
        Assert.Equal(new[] { "Pattern 10%", "Pattern 50%" }, axis.Labels);
        Assert.Equal(new[] { "Big-22K" }, axis.LeftOut);
        Assert.Equal(grid.DataLabels, DataAxis.Of(grid, new FindingRules(OtherDataOnAxis: true)).Labels);
    }
}
