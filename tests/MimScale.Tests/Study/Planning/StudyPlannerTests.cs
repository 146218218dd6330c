using MimScale.Data.Subsets;
using MimScale.Models.Zoo;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Spec;
using MimScale.Tests.Data;

namespace MimScale.Tests.Study.Planning;

public class StudyPlannerTests
{
    private static StudyPlan Plan(string text, string? version = "test-1", bool resolve = true) =>
        StudyPlanner.Plan(StudySpecReader.Parse(text, "t.yaml"), resolve ? new ManifestResolver(null, StudyTestData.Open) : null, version);

    [Fact]
    public void PaperLengthsShareOneTrunk_546875Iterations()
    {
        var plan = Plan(StudyTestData.Spec(lengths: "[125K, 250K, 500K]", models: "[swinv2-pico]", fractions: "[0.1]"));
        var trunk = Assert.Single(plan.Trunks);
        Assert.Equal(437_500, trunk.TrunkIterations);
        Assert.Equal(new long[] { 109_375, 218_750, 437_500 }, trunk.SnapshotIterations);
        Assert.Equal(new long[] { 15_625, 31_250, 62_500 }, trunk.Cells.Select(c => c.DecayIterations));
        Assert.Equal(546_875, trunk.TotalIterations);
        Assert.Equal(875_000, trunk.UnsharedIterations);
        Assert.Equal(546_875, plan.TotalIterations);

        // Trunk segments 109,375 / 109,375 / 218,750 shared by 3 / 2 / 1 runs, plus each run's decay phase.
        var attributed = trunk.Cells.Select(c => c.AttributedIterations).ToArray();
        Assert.Equal(109_375.0 / 3 + 15_625, attributed[0], 6);
        Assert.Equal(109_375.0 / 3 + 109_375.0 / 2 + 31_250, attributed[1], 6);
        Assert.Equal(109_375.0 / 3 + 109_375.0 / 2 + 218_750 + 62_500, attributed[2], 6);
        Assert.Equal(546_875, attributed.Sum(), 6);

        var entry = ModelZoo.Get("swinv2-pico");
        Assert.Equal(ModelCost.SimMimTrainingFlops(entry.Pretrain.Encoder, entry.Pretrain.EncoderStride) * 8, trunk.Cells[0].FlopsPerIteration);
        Assert.Equal(trunk.Cells[0].FlopsPerIteration * 546_875, plan.TotalFlops, 1e-3);
    }

    [Fact]
    public void BranchPointsAndFlopsComeFromTheEnginesPlanForAnyDecayFraction()
    {
        var spec = StudyTestData.Spec(lengths: "[400, 1600]", models: "[swinv2-pico]", fractions: "[0.1]")
            .Replace("warmup_iterations: 10", "warmup_iterations: 10\n  decay_fraction: 0.75");
        var trunk = Assert.Single(Plan(spec).Trunks);
        Assert.Equal(0.75, trunk.Config.DecayFraction);                                  // the typed engine config
        Assert.Equal(new long[] { 300, 1200 }, trunk.Cells.Select(c => c.DecayStart));   // the engine's BranchPoint
        Assert.Equal(trunk.Cells.Select(c => trunk.Schedule.BranchPoint(c.Iterations)), trunk.Cells.Select(c => c.DecayStart));
        Assert.Equal(1200 + 100 + 400, trunk.TotalIterations);
        Assert.Equal(trunk.TotalIterations, trunk.Cells.Sum(c => c.AttributedIterations), 6);
        Assert.Contains("\"decay_start\":300", trunk.Cells[0].ConfigJson);                 // the stored config agrees
        var job = new TrunkJob(trunk, "t", trunk.Cells.ToDictionary(c => c.Key, c => c.Key), new HashSet<string>());
        Assert.Equal(1200, job.RequiredTrunkIterations);
    }

    [Theory]
    [InlineData("  base_lr: ten", "base_lr")]
    [InlineData("  itterations: 5", "unknown key 'itterations'")]
    [InlineData("  seed: 3", "'seed' is set by the study")]
    public void ABadPretrainRecipeFailsPlanningNamingTheKey(string line, string expected)
    {
        var spec = StudyTestData.Spec().Replace("  batch_size: 8\n", "  batch_size: 8\n" + line + "\n");
        var e = Assert.Throws<StudySpecException>(() => Plan(spec));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("  epochs: ten", "epochs")]
    [InlineData("  epochz: 2", "unknown key 'epochz'")]
    [InlineData("  pretrained: scratch", "'pretrained' is set by the study")]
    [InlineData("  epochs: 2\n  warmup_epochs: 3", "warmup_epochs (3) must be in [0, epochs)")]
    public void ABadFinetuneRecipeFailsPlanningNamingTheKey(string line, string expected)
    {
        var spec = StudyTestData.Spec().Replace("  epochs: 1\n  warmup_epochs: 0\n", line + "\n");
        var e = Assert.Throws<StudySpecException>(() => Plan(spec));
        Assert.Contains(expected, e.Message);
        Assert.Contains("finetune", e.Message);   // the recipe is named
    }

    [Fact]
    public void TrunksGroupLengthsOfOneModelDataAndSeed()
    {
        var plan = Plan(StudyTestData.Spec(lengths: "[400, 800, 1600]", seeds: "[0, 1]"));
        Assert.Equal(2 * 2 * 2, plan.Trunks.Count);
        Assert.Equal(24, plan.Cells.Count);
        Assert.Equal(24, plan.Cells.Select(c => c.Key).Distinct().Count());
        Assert.Equal(8, plan.Trunks.Select(t => t.Key).Distinct().Count());
        foreach (var t in plan.Trunks)
        {
            Assert.Equal(new long[] { 400, 800, 1600 }, t.Cells.Select(c => c.Iterations));
            Assert.All(t.Cells, c => Assert.True(c.Model == t.Model && c.Seed == t.Seed && c.Data == t.Data && c.TrunkKey == t.Key));
            Assert.Equal(new long[] { 350, 700, 1400 }, t.Cells.Select(c => c.DecayStart));
            Assert.Equal(1400 + 50 + 100 + 200, t.TotalIterations);
        }
        Assert.Equal("swinv2-pico", plan.Trunks[0].Model);
        Assert.Equal(0, plan.Cells[0].SizeRank);
        Assert.Equal(1, plan.Cells.First(c => c.Model == "swinv2-nano").SizeRank);

        var unshared = Plan(StudyTestData.Spec(lengths: "[400, 800, 1600]", seeds: "[0, 1]", extraTop: "share_trunks: false"));
        Assert.Equal(24, unshared.Trunks.Count);
        Assert.All(unshared.Trunks, t => Assert.Equal(t.Cells.Single().Iterations, t.TotalIterations));
        Assert.Equal(unshared.UnsharedIterations, unshared.TotalIterations);
    }

    [Fact]
    public void KeysAreStableAndFollowTheResolvedConfig()
    {
        var baseline = Plan(StudyTestData.Spec()).Cells.Select(c => c.Key).ToList();
        Assert.Equal(baseline, Plan(StudyTestData.Spec()).Cells.Select(c => c.Key));
        Assert.Matches("^swinv2-pico-f0.1-400-s0-[0-9a-f]{10}$", baseline[0]);
        // Same recipe written differently (4.0e-4 vs 0.0004) and a new description: same keys.
        Assert.Equal(baseline, Plan(StudyTestData.Spec(lr: "0.0004").Replace("description: test", "description: other")).Cells.Select(c => c.Key));
        // A changed pre-training recipe, version, evaluation set or subset seed: every key changes.
        foreach (var changed in new[]
                 {
                     Plan(StudyTestData.Spec(lr: "5.0e-4")), Plan(StudyTestData.Spec(), version: "test-2"),
                     Plan(StudyTestData.Spec(evaluations: "[knn]")), Plan(StudyTestData.Spec().Replace("subset_seed: 0", "subset_seed: 1")),
                 })
            Assert.Empty(changed.Cells.Select(c => c.Key).Intersect(baseline));
        // Adding a length keeps the existing cells' keys but makes a new trunk (its snapshots change).
        var longer = Plan(StudyTestData.Spec(lengths: "[400, 1600, 3200]"));
        Assert.Equal(baseline.Count, longer.Cells.Select(c => c.Key).Intersect(baseline).Count());
        Assert.Empty(longer.Trunks.Select(t => t.Key).Intersect(Plan(StudyTestData.Spec()).Trunks.Select(t => t.Key)));
    }

    [Fact]
    public void ManifestHashEntersTheConfigAndFilesAreWritten()
    {
        using var tmp = new TempFolder();
        var spec = StudySpecReader.Parse(StudyTestData.Spec(fractions: "[0.1, 0.5]").Replace("fractions: [0.1, 0.5]", "fractions: [0.1, 0.5]\n  class_subsets: [1]"), "t.yaml");
        var plan = StudyPlanner.Plan(spec, new ManifestResolver(tmp.Path, StudyTestData.Open), "v");
        var data = plan.Trunks.Select(t => t.Data).DistinctBy(d => d.Label).ToList();
        Assert.Equal(new[] { "Pattern 10%", "Pattern 50%", "Pattern 1 classes" }, data.Select(d => d.Label));
        Assert.Equal(new int?[] { 20, 100, 50 }, data.Select(d => d.ImageCount)); // 200 images in 4 classes of 50
        var source = StudyTestData.Open("x");
        var expected = SubsetSampler.ClassBalancedFractions(source, [0.1, 0.5], 0);
        Assert.Equal(expected[0].Hash, data[0].ManifestHash);
        Assert.Equal(SubsetSampler.ClassSubset(source, 1, 0).Hash, data[2].ManifestHash);
        Assert.Contains($"\"manifest_sha256\":\"{expected[1].Hash}\"", plan.Cells.First(c => c.Data.Label == "Pattern 50%").ConfigJson);
        Assert.Equal(expected[0].Hash, Manifest.Load(data[0].ManifestPath!).Hash);
        Assert.StartsWith("manifest:" + data[0].ManifestPath + "@pattern:train", data[0].PretrainSourceSpec);
        Assert.Equal(3, Directory.GetFiles(tmp.Path, "*.manifest.tsv").Length);
        // Unresolved data has no hash, hence other keys.
        Assert.Empty(StudyPlanner.Plan(spec, null, "v").Cells.Select(c => c.Key).Intersect(plan.Cells.Select(c => c.Key)));
    }

    [FashionMnistFact]
    public void DemoSpecPlansOnFashionMnist()
    {
        var spec = StudySpecReader.Load(Fixtures.RepoFile("studies/fashion-mnist-demo.yaml"));
        var plan = StudyPlanner.Plan(spec, new ManifestResolver(null), "v");
        Assert.Equal(new int?[] { 600, 3000, 15000 }, plan.Trunks.Take(3).Select(t => t.Data.ImageCount));
        Assert.Equal(6 + 2, plan.Trunks.Count);   // the grid's 6 trunks and the scratch reference of each model (no iterations)
        Assert.Equal(6 * (1680 + 30 + 240), plan.TotalIterations);
        var text = PlanText.Format(plan, new ComputeRate(2.0));
        Assert.Contains("11,700 iterations instead of 12,960 without sharing (90.3%)", text);
        Assert.Contains("240: 210+30, 1920: 1680+240", text);
    }
}
