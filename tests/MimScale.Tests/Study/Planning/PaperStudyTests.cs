using System.CommandLine;
using System.Globalization;
using MimScale.Cli.Commands;
using MimScale.Models.Zoo;
using MimScale.Study.Planning;
using MimScale.Study.Spec;

namespace MimScale.Tests.Study.Planning;

/// <summary>studies/paper.yaml, the paper's whole grid, plans on a machine without ImageNet (through the CLI's fallback).</summary>
public class PaperStudyTests
{
    private static string Repo(string relative) => Fixtures.RepoFile(relative);

    [Fact]
    public void ThePaperGridPlansWithoutItsDataAndPrintsItsIterationsAndFlops()
    {
        Assert.False(Directory.Exists("/data/imagenet"), "this test is about planning without the data");
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand { StudyCommand.Create((_, _, _) => throw new InvalidOperationException("plan runs nothing"), output, error) };
        using var tmp = new MimScale.Tests.TempFolder();
        int code = root.Parse(["study", "plan", Repo("studies/paper.yaml"), "--out", tmp["study"]]).Invoke();
        string text = output.ToString();
        Assert.True(code == 0, error.ToString());
        Assert.Contains("note: cannot read the data source", text);
        Assert.Contains("study paper: 5 models x 5 data x 3 lengths x 1 seeds = 75 cells in 25 trunks", text);
        Assert.Contains("batch 2048 (8 x 256 accumulated)", text);
        Assert.Contains("other data set on the data axis: ImageNet-22K from folder:/data/imagenet-22k@train", text);
        Assert.Contains("125000: 109375+15625, 250000: 218750+31250, 500000: 437500+62500", text);

        // 25 trunks of 546,875 iterations (875,000 unshared) at 2048 images each; FLOPs = per-image SimMIM training FLOPs.
        double perImage = new[] { "swinv2-small", "swinv2-base", "swinv2-large", "swinv2-huge", "swinv2-giant" }
            .Sum(m => ModelCost.SimMimTrainingFlops(ModelZoo.Get(m).Pretrain.Encoder, ModelZoo.Get(m).Pretrain.EncoderStride));
        double flops = perImage * 2048 * 546_875 * 5;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"total: 13,671,875 iterations instead of 21,875,000 without sharing (62.5%), {flops:0.000e+00} pre-training FLOPs"), text);

        var plan = StudyPlanner.Plan(StudySpecReader.Load(Repo("studies/paper.yaml")));
        Assert.Equal(new[] { "ImageNet-1K 10%", "ImageNet-1K 20%", "ImageNet-1K 50%", "ImageNet-1K 100%", "ImageNet-22K" },
            plan.Trunks.Select(t => t.Data.Label).Distinct());
        Assert.All(plan.Trunks, t => Assert.Equal((2048, 6250L, true), (t.Config.TotalBatch, t.Config.WarmupIterations, t.Config.UseCheckpoint)));
        Assert.Equal(flops, plan.TotalFlops, flops * 1e-12);
    }
}
