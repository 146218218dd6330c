using System.CommandLine;
using MimScale.Cli.Commands;
using MimScale.Study.Execution;
using MimScale.Study.Spec;
using MimScale.Tests.Data;
using MimScale.Tests.Study;

namespace MimScale.Tests.Cli;

public class StudyCommandTests
{
    /// <summary>A tiny Fashion-MNIST study (the real Debian files; the fake executor trains nothing).</summary>
    private const string Spec = """
        name: cli-study
        models: [swinv2-pico]
        data:
          name: FMNIST
          source: fashion-mnist:/usr/share/datasets/fashion-mnist@train
          val_source: fashion-mnist:/usr/share/datasets/fashion-mnist@test
          fractions: [0.01, 0.05]
        lengths: [80, 160]
        evaluations: [knn]
        pretrain:
          batch_size: 4
          warmup_iterations: 10
        """;

    private static (int Code, string Out, string Err) Invoke(Func<StudySpec, string, IStudyExecutor> factory, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand { StudyCommand.Create((s, d, _) => factory(s, d), output, error) };
        int code = root.Parse(args).Invoke();
        return (code, output.ToString(), error.ToString());
    }

    [FashionMnistFact]
    public void AFailedCellEndsTheRunWithASummaryAndExitCode1WithoutAStackTrace()
    {
        using var tmp = new TempFolder();
        var spec = tmp["cli.yaml"];
        File.WriteAllText(spec, Spec);
        var dir = tmp["study"];
        var failing = new FakeStudyExecutor { FailEvaluation = (c, _) => c.Data.Fraction == 0.01 && c.Iterations == 80 };
        var run = Invoke((_, _) => failing, "study", "run", spec, "--out", dir);
        Assert.Equal(1, run.Code);
        Assert.Equal("error: 1 cell(s) failed (3 done, 1 failed, 0 pending); `mimscale study status` lists them, study.log has the details; run the same command again to retry them",
            run.Err.Trim());
        Assert.Contains("study cli-study: 3 done, 1 failed, 0 pending", run.Out);
        Assert.DoesNotContain("   at ", run.Out + run.Err);
        var status = Invoke((_, _) => failing, "study", "status", dir);
        Assert.Equal(0, status.Code);
        Assert.Contains("failed: swinv2-pico / FMNIST 1% / 80 / seed 0: knn: knn of ", status.Out);

        var verbose = Invoke((_, _) => new FakeStudyExecutor { FailEvaluation = (_, _) => true }, "study", "run", spec, "--out", dir, "--verbose");
        Assert.Equal(1, verbose.Code);
        Assert.Contains("   at ", verbose.Out);                          // asked for: the whole exception
        var retry = Invoke((_, _) => new FakeStudyExecutor(), "study", "run", spec, "--out", dir);
        Assert.Equal(0, retry.Code);
        Assert.Contains("4 done, 0 failed, 0 pending", retry.Out);
    }

    [FashionMnistFact]
    public void PlanRunStatusReport()
    {
        using var tmp = new TempFolder();
        var spec = tmp["cli.yaml"];
        File.WriteAllText(spec, Spec);
        var dir = tmp["study"];
        var fake = new FakeStudyExecutor();

        var plan = Invoke((_, _) => fake, "study", "plan", spec, "--out", dir);
        Assert.Equal(0, plan.Code);
        Assert.Contains("1 models x 2 data x 2 lengths x 1 seeds = 4 cells in 2 trunks", plan.Out);
        Assert.Contains("FMNIST 1%                    600 images", plan.Out);
        Assert.Contains("total: 340 iterations instead of 480 without sharing", plan.Out);

        var notWired = Invoke((_, _) => throw new NotSupportedException("the pre-training engine is not wired yet"), "study", "run", spec, "--out", dir);
        Assert.Equal(1, notWired.Code);
        Assert.Contains("error: the pre-training engine is not wired yet", notWired.Err);
        Assert.False(Directory.Exists(dir));

        var run = Invoke((s, d) => { Assert.Equal("cli-study", s.Name); Assert.Equal(Path.GetFullPath(dir), d); return fake; }, "study", "run", spec, "--out", dir);
        Assert.Equal(0, run.Code);
        Assert.Contains("study cli-study: 4/4 cells done (4 pre-trained and 4 evaluations in this run)", run.Out);
        Assert.Equal(4, fake.Pretrained.Count);

        foreach (var target in new[] { new[] { dir }, new[] { spec, "--out", dir } })
        {
            var status = Invoke((_, _) => fake, ["study", "status", .. target]);
            Assert.Equal(0, status.Code);
            Assert.Contains("study cli-study: 4/4 cells done, 4/4 pre-trained, 0 failed", status.Out);
            Assert.Matches(@"swinv2-pico\s+FMNIST 5%\s+160\s+0\s+done\s+0\.5966", status.Out); // 0.5 + 0.1 x 0.95 + 0.0016
        }

        File.Delete(Path.Combine(dir, "report.md"));
        var report = Invoke((_, _) => fake, "study", "report", dir);
        Assert.Equal(0, report.Code);
        Assert.True(File.Exists(Path.Combine(dir, "report.md")));
        Assert.Contains("knn_top1", File.ReadAllText(Path.Combine(dir, "report.md")));

        var bad = Invoke((_, _) => fake, "study", "status", tmp["missing.yaml"]);
        Assert.Equal(1, bad.Code);
        Assert.Contains("study spec not found", bad.Err);
    }

    [Fact]
    public void PlanWithoutReadableSourceStillPlans()
    {
        using var tmp = new TempFolder();
        var spec = tmp["s.yaml"];
        File.WriteAllText(spec, Spec.Replace("/usr/share/datasets/fashion-mnist@train", "/nonexistent/fmnist@train"));
        var plan = Invoke((_, _) => throw new InvalidOperationException(), "study", "plan", spec, "--out", tmp["none"], "--gflops", "4");
        Assert.Equal(0, plan.Code);
        Assert.Contains("note: cannot read the data source", plan.Out);
        Assert.Contains("manifest unknown (source not read)", plan.Out);
        Assert.Contains("assume a sustained 4 GFLOP/s", plan.Out);
    }
}
