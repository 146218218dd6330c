
using MimScale.Study.Planning;
using MimScale.Study.Spec;

namespace MimScale.Tests.Study.Spec;

public class StudySpecTests
{
    private static string Repo(string relative) => Fixtures.RepoFile(relative);

    [Fact]
    public void DemoSpecParses()
    {
        var spec = StudySpecReader.Load(Repo("studies/fashion-mnist-demo.yaml"));
        Assert.Equal("fashion-mnist-demo", spec.Name);
        Assert.Equal(new[] { "swinv2-pico", "swinv2-nano" }, spec.Models);
        Assert.Equal(new[] { 0.01, 0.05, 0.25 }, spec.Data.Variants.Select(v => v.Fraction!.Value));
        Assert.Equal("Fashion-MNIST 1%", spec.Data.Label(spec.Data.Variants[0]));
        Assert.Equal(new long[] { 240, 1920 }, spec.Lengths);
        Assert.Equal(new[] { "knn", "linear_probe", "finetune" }, spec.Evaluations);
        Assert.Equal("finetune_top1", spec.ReportMetric);
        Assert.Equal("0.0128", spec.Pretrain.String("base_lr"));          // 1.28e-2 in shortest round-trip form
        Assert.Equal(16, spec.Pretrain.Long("batch_size", 0));
        Assert.Equal(20, spec.Pretrain.Long("warmup_iterations", 0));
        Assert.Equal(20, spec.EvaluationRecipes["knn"].Int("k", 0));
        Assert.True(spec.ShareTrunks);
        Assert.Equal(12, spec.CellCount);

        var quick = StudySpecReader.Load(Repo("studies/fashion-mnist-quick.yaml"));
        Assert.Equal(new[] { "knn" }, quick.Evaluations);
        Assert.Equal("knn_top1", quick.ReportMetric);
        Assert.Equal(quick.Data.Source, quick.Data.EvalSource); // defaults to the pre-training source
        Assert.Equal(8, quick.CellCount);
    }

    [Fact]
    public void TypoInTopLevelKeyNamesKeyFileAndLine()
    {
        var text = StudyTestData.Spec().Replace("lengths:", "lenghts:");
        var e = Assert.Throws<StudySpecException>(() => StudySpecReader.Parse(text, "studies/typo.yaml"));
        Assert.Equal("studies/typo.yaml", e.File);
        Assert.Equal(10, e.Line);
        Assert.Contains("unknown key 'lenghts'", e.Message);
        Assert.Contains("did you mean 'lengths'", e.Message);
        Assert.StartsWith("studies/typo.yaml:10:", e.Message);
    }

    [Fact]
    public void TypoInDataKeyIsReported()
    {
        var text = StudyTestData.Spec().Replace("fractions:", "fractons:");
        var e = Assert.Throws<StudySpecException>(() => StudySpecReader.Parse(text, "x.yaml"));
        Assert.Contains("unknown key 'fractons' in data", e.Message);
        Assert.Equal(9, e.Line);
    }

    [Theory]
    [InlineData("[swinv2-pico, swinv2-nanoo]", "unknown model 'swinv2-nanoo'")]
    [InlineData("[swinv2-pico, swinv2-pico]", "listed twice")]
    public void BadModelsAreReported(string models, string expected)
    {
        var e = Assert.Throws<StudySpecException>(() => StudySpecReader.Parse(StudyTestData.Spec(models: models), "m.yaml"));
        Assert.Contains(expected, e.Message);
        Assert.Equal(3, e.Line);
    }

    [Theory]
    [InlineData("[400, 1]", "length 1 must be at least 2 iterations")]
    [InlineData("[400, 400]", "length 400 is listed twice")]
    [InlineData("[400, abc]", "'lengths' must be a whole number")]
    public void BadLengthsAreReported(string lengths, string expected)
    {
        var e = Assert.Throws<StudySpecException>(() => StudySpecReader.Parse(StudyTestData.Spec(lengths: lengths), "l.yaml"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void PaperLengthNotationAndSorting()
    {
        var spec = StudySpecReader.Parse(StudyTestData.Spec(lengths: "[500K, 125K, 250k]"), "p.yaml");
        Assert.Equal(new long[] { 125_000, 250_000, 500_000 }, spec.Lengths);
    }

    [Fact]
    public void MissingBatchSizeAndLateWarmupAreReported()
    {
        var noBatch = StudyTestData.Spec().Replace("  batch_size: 8\n", "");
        var e1 = Assert.Throws<StudySpecException>(() => StudySpecReader.Parse(noBatch, "b.yaml"));
        Assert.Contains("'pretrain' needs 'batch_size'", e1.Message);

        // Warm-up must end before the first branch point, the engine's 7/8 x 400 = 350 (checked when planning).
        static StudyPlan Plan(string text) => StudyPlanner.Plan(StudySpecReader.Parse(text, "w.yaml"));
        var late = StudyTestData.Spec().Replace("warmup_iterations: 10", "warmup_iterations: 351");
        var e2 = Assert.Throws<StudySpecException>(() => Plan(late));
        Assert.Contains("warmup_iterations 351 ends after the first branch point 350 (length 400)", e2.Message);
        Plan(StudyTestData.Spec().Replace("warmup_iterations: 10", "warmup_iterations: 350"));
        // With decay_fraction 0.5 the first branch point is 200.
        var half = StudyTestData.Spec().Replace("warmup_iterations: 10", "warmup_iterations: 201\n  decay_fraction: 0.5");
        Assert.Contains("ends after the first branch point 200", Assert.Throws<StudySpecException>(() => Plan(half)).Message);
    }

    [Fact]
    public void OtherBadInput()
    {
        Assert.Contains("unknown evaluation 'knnn'",
            Assert.Throws<StudySpecException>(() => StudySpecReader.Parse(StudyTestData.Spec(evaluations: "[knnn]"), "e.yaml")).Message);
        Assert.Contains("fraction 1.5 must be in (0, 1]",
            Assert.Throws<StudySpecException>(() => StudySpecReader.Parse(StudyTestData.Spec(fractions: "[0.1, 1.5]"), "f.yaml")).Message);
        Assert.Contains("missing required key 'val_source' in data",
            Assert.Throws<StudySpecException>(() => StudySpecReader.Parse(StudyTestData.Spec().Replace("  val_source: pattern:test\n", ""), "v.yaml")).Message);
        var yaml = Assert.Throws<StudySpecException>(() => StudySpecReader.Parse("name: [unclosed", "y.yaml"));
        Assert.StartsWith("y.yaml:", yaml.Message);
        Assert.Contains("invalid YAML", yaml.Message);
        Assert.Contains("study spec not found", Assert.Throws<StudySpecException>(() => StudySpecReader.Load("/nonexistent/s.yaml")).Message);
    }

    [Fact]
    public void RecipeMapIsCanonical()
    {
        var a = StudySpecReader.Parse(StudyTestData.Spec(), "a.yaml").Pretrain;
        var reordered = StudyTestData.Spec().Replace("  batch_size: 8\n  base_lr: 4.0e-4\n", "  base_lr: 0.0004\n  batch_size: 8.0\n");
        var b = StudySpecReader.Parse(reordered, "b.yaml").Pretrain;
        Assert.Equal("base_lr=0.0004\nbatch_size=8\nwarmup_iterations=10\n", a.CanonicalText);
        Assert.Equal(a, b);

        var nested = StudySpecReader.Parse(StudyTestData.Spec().Replace("  warmup_iterations: 10\n", "  warmup_iterations: 10\n  optimizer:\n    betas: [0.9, 0.999]\n    name: 'adamw'\n"), "n.yaml").Pretrain;
        Assert.Equal(new[] { 0.9, 0.999 }, nested.Doubles("optimizer.betas"));
        Assert.Equal("adamw", nested.String("optimizer.name"));
        var e = Assert.Throws<StudySpecException>(() => nested.RequireKnownKeys(["batch_size", "base_lr", "warmup_iterations", "optimizer.betas"]));
        Assert.Contains("unknown key 'optimizer.name'", e.Message);
        Assert.Contains("n.yaml: pretrain", e.Message);
        var list = new RecipeMap([new("base_lr", RecipeValue.List(["1", "2"]))], "r");
        Assert.Contains("'base_lr' must be a single value", Assert.Throws<StudySpecException>(() => list.Double("base_lr", 0)).Message);
        Assert.Equal("2", a.With("batch_size", "2.0").String("batch_size"));
    }
}
