using MimScale.Analysis.Io;
using MimScale.Analysis.Report;
using MimScale.Analysis.Results;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Study.Spec;
using MimScale.Study.Store;
using MimScale.Tests.Data;

namespace MimScale.Tests.Study;

/// <summary>
/// The side-study arms in specs, plans and results: <c>decoder_arm</c> adds cells that repeat main cells with a heavier
/// decoder (never touching the main cells' keys), and class subsets come back from the store marked as their own arm.
/// </summary>
public class StudyArmsTests
{
    const string Arm = """
        decoder_arm:
          decoders: [linear, transformer-1, transformer-2]
          models: [swinv2-pico]
          fractions: [0.5]
        """;

    static StudySpec Spec(string extraTop = "", string fractions = "[0.1, 0.5]") =>
        StudySpecReader.Parse(StudyTestData.Spec(fractions: fractions, extraTop: extraTop), "t.yaml");

    [Fact]
    public void ADecoderArmParsesAndBadEntriesAreNamed()
    {
        var arm = Spec(Arm).DecoderArm!;
        Assert.Equal(new[] { "linear", "transformer-1", "transformer-2" }, arm.Decoders.Select(d => d.Label));
        Assert.Equal(new[] { "swinv2-pico" }, arm.Models);
        Assert.Equal(new double?[] { 0.5 }, arm.Variants.Select(v => v.Fraction));
        var defaults = Spec("decoder_arm:\n  decoders: [transformer-4]").DecoderArm!;
        Assert.Equal(new[] { "swinv2-pico", "swinv2-nano" }, defaults.Models);
        Assert.Equal(new double?[] { 0.1, 0.5 }, defaults.Variants.Select(v => v.Fraction));
        Assert.Null(Spec().DecoderArm);

        foreach (var (bad, expected) in new[]
                 {
                     ("decoders: [transformer-0]", "'transformer-0' must be 'linear' or 'transformer-k' with k >= 1"),
                     ("decoders: [mlp]", "decoder 'mlp' must be"),
                     ("decoders: [transformer-1]\n  models: [swinv2-micro]", "'swinv2-micro' is not one of the study's models"),
                     ("decoders: [transformer-1]\n  fractions: [0.2]", "fraction 0.2 is not one of data.fractions"),
                     ("decoders: [transformer-1, transformer-1]", "listed twice"),
                     ("decoder: [transformer-1]", "decoder"),
                 })
        {
            var e = Assert.Throws<StudySpecException>(() => Spec("decoder_arm:\n  " + bad));
            Assert.Contains(expected, e.Message);
            Assert.Contains("t.yaml", e.Message);
        }
    }

    [Fact]
    public void TheArmsSpecOfTheRepositoryPlansBothArms()
    {
        var spec = StudySpecReader.Load(Fixtures.RepoFile("studies/fashion-mnist-arms.yaml"));
        Assert.Equal(new[] { "transformer-1", "transformer-2" }, spec.DecoderArm!.Decoders.Select(d => d.Label));
        Assert.Equal(new[] { "swinv2-nano" }, spec.DecoderArm.Models);
        Assert.Contains(DataVariant.OfClasses(2), spec.Data.Variants);
        Assert.Contains(DataVariant.OfFraction(0.2), spec.Data.Variants);   // the class subset's counterpart: 2 of 10 classes
        var plan = StudyPlanner.Plan(spec, null, "v");
        Assert.Equal((16, 8, 4), (plan.Cells.Count, plan.Trunks.Count, plan.Cells.Count(c => c.Decoder is not null)));
    }

    [Fact]
    public void TheArmAddsTransformerDecoderCellsAndLeavesEveryMainKeyAsItWas()
    {
        var baseline = StudyPlanner.Plan(Spec(), null, "v");
        var plan = StudyPlanner.Plan(Spec(Arm), null, "v");
        // Main cells and trunks: the same keys, in the same order, first.
        Assert.Equal(baseline.Cells.Select(c => c.Key), plan.Cells.Take(baseline.Cells.Count).Select(c => c.Key));
        Assert.Equal(baseline.Trunks.Select(t => t.Key), plan.Trunks.Take(baseline.Trunks.Count).Select(t => t.Key));
        // Pinned: the key of a main cell is a function of the spec alone (a changed hash would orphan every finished run).
        Assert.Equal(PinnedMainKey, baseline.Cells[0].Key);

        // 'linear' is the main recipe's decoder, hence the main cells themselves: 2 decoders x 1 model x 1 fraction x 2 lengths.
        var arm = plan.Cells.Skip(baseline.Cells.Count).ToList();
        Assert.Equal(4, arm.Count);
        Assert.Equal(2, plan.Trunks.Count - baseline.Trunks.Count);
        Assert.All(arm, c => Assert.Equal(("swinv2-pico", 0.5), (c.Model, c.Data.Fraction!.Value)));
        Assert.Equal(new[] { "transformer-1", "transformer-1", "transformer-2", "transformer-2" }, arm.Select(c => c.Decoder!.Label));
        Assert.StartsWith("swinv2-pico-f0.5-dec-t2-1600-s0-", arm[3].Key);
        Assert.Equal("swinv2-pico / Pattern 50% / 1600 / seed 0 / decoder transformer-2", arm[3].Describe());
        Assert.Contains("\"arm\":{\"name\":\"decoder\",\"variant\":\"transformer-2\"}", arm[3].ConfigJson);
        Assert.Contains("\"decoder\":\"Transformer\",\"decoder_depth\":2", arm[3].ConfigJson);
        Assert.Equal("transformer", arm[3].Pretrain.String("decoder"));
        // The engine config the arm's trunk trains with builds the transformer decoder.
        var trunk = plan.Trunks[^1];
        Assert.Equal(("transformer", 2), (trunk.Config.Decoder, trunk.Config.DecoderDepth));
        Assert.Equal(MimScale.Models.SimMim.DecoderKind.Transformer, trunk.Config.ModelOptions().Decoder);
        Assert.Equal("linear", baseline.Trunks[0].Config.Decoder);
    }

    // Changed once, with the test spec (its finetune map gained warmup_epochs: 0, which the plan-time check now needs):
    // the key of studies/fashion-mnist-demo.yaml's cells did not change.
    const string PinnedMainKey = "swinv2-pico-f0.1-400-s0-88653e23a0";

    [Fact]
    public void AStudyWithBothArmsRunsAndReportsThemApartFromTheGrid()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var text = StudyTestData.Spec(fractions: "[0.25, 0.5]\n  class_subsets: [1]", extraTop: Arm.Replace("fractions: [0.5]", "fractions: [0.25]"));
        var plan = StudyRunner.PlanFor(StudySpecReader.Parse(text, "t.yaml"), folder, StudyTestData.Open, "v1");
        Assert.Equal(12 + 4, plan.Cells.Count);       // (2 fractions + 1 class subset) x 2 models x 2 lengths, + the decoder arm
        new StudyRunner(new FakeStudyExecutor(), TextWriter.Null).Run(plan, folder, default, new AnalysisOptions(Metric: "finetune_top1", Plots: false));

        var results = StudyResultsJson.Load(folder.ResultsJsonPath);
        Assert.Equal(16, results.Runs.Count);
        var subset = results.Runs.Where(r => r.Arm == RunArms.ClassSubset).ToList();
        Assert.Equal(4, subset.Count);
        Assert.All(subset, r => Assert.Equal((1, 50L, "Pattern 1 classes"), (r.ClassCount!.Value, r.ImageCount!.Value, r.DataLabel)));
        var heavy = results.Runs.Where(r => r.Arm == RunArms.Decoder).ToList();
        Assert.Equal(new[] { "transformer-1", "transformer-1", "transformer-2", "transformer-2" }, heavy.Select(r => r.Decoder));
        Assert.All(results.MainRuns().Runs, r => Assert.Equal("linear", r.Decoder));

        var analysis = StudyAnalysis.Analyze(results);
        Assert.Equal(new[] { "Pattern 25%", "Pattern 50%" }, analysis.Grid.DataLabels);
        Assert.Equal(new[] { "Pattern 25%", "Pattern 50%" }, analysis.Findings.Axis.Labels);
        Assert.All(analysis.ClassSubsetArm.Pairs, p => Assert.Equal("Pattern 25%", p.Matched!.DataLabel));   // 50 images each
        Assert.Equal(6, analysis.DecoderArm.Rows.Count);   // 2 lengths x (linear + 2 transformers)
        var md = File.ReadAllText(Path.Combine(folder.Root, "report.md"));
        Assert.Contains("### Table 8: decoder size", md);
        using (var store = StudyStore.Open(folder.DatabasePath))
        {
            var stored = store.LoadCells(plan.Cells.Select(c => c.Key).ToList());
            Assert.Equal("swinv2-pico / Pattern 25% / 1600 / seed 0 / decoder transformer-2", stored.Single(c => c.Key == plan.Cells[^1].Key).Describe());
            Assert.Contains("Pattern 25% / decoder transformer-1", StatusText.Format("t", stored, 0));
        }
        Assert.Contains("### Table 9: class subset vs class-balanced subset", md);
    }
}
