
using MimScale.Study.Planning;
using MimScale.Study.Spec;

namespace MimScale.Tests.Study.Planning;

/// <summary>studies/fashion-mnist-overfit.yaml, the overfitting exploration: what it plans (no data needed to plan).</summary>
public class OverfitSpecTests
{
    [Fact]
    public void TheOverfitSpecPlansOneAndTenImagesPerClassWithoutStochasticDepth()
    {
        var spec = StudySpecReader.Load(Fixtures.RepoFile("studies/fashion-mnist-overfit.yaml"));
        Assert.Equal(new[] { DataVariant.OfFraction(0.0001667), DataVariant.OfFraction(0.001667) }, spec.Data.Variants);
        // 1 and 10 of the 6,000 images of each class: fewer than one batch of 16 in the smallest subset.
        Assert.Equal(new[] { 1, 10 }, spec.Data.Variants.Select(v => (int)Math.Floor(v.Fraction!.Value * 6000 + 1e-6)));
        var plan = StudyPlanner.Plan(spec, null, "v");
        // 8 cells in 4 trunks, then the scratch reference of each model (its linear probe from a random init).
        Assert.Equal((10, 6), (plan.Cells.Count, plan.Trunks.Count));
        var cells = plan.Cells.Where(c => !c.Scratch).ToList();
        Assert.Equal(8, cells.Count);
        Assert.Equal(new[] { "swinv2-pico", "swinv2-nano" }, plan.Cells.Where(c => c.Scratch).Select(c => c.Model));
        Assert.All(plan.Cells.Where(c => c.Scratch), c => Assert.Equal(new[] { "linear_probe" }, c.Evaluations));
        Assert.All(cells, c => Assert.Equal("0", c.Pretrain.Values["drop_path_rate"].Text));
        Assert.Equal(new long[] { 1000, 6000 }, cells.Select(c => c.Iterations).Distinct().Order());
        Assert.All(cells, c => Assert.Equal(c.Iterations * 7 / 8, c.DecayStart));
    }
}

/// <summary>studies/fashion-mnist-transfer.yaml, the data-dependence exploration (issue 13): what it plans.</summary>
public class TransferSpecTests
{
    [Fact]
    public void TheTransferSpecPlansThreeDataSizes600xApartWithEveryEvaluationOnAllTestImages()
    {
        var spec = StudySpecReader.Load(Fixtures.RepoFile("studies/fashion-mnist-transfer.yaml"));
        // 1, 60 and 600 of the 6,000 images of each class: 10, 600 and 6,000 images.
        Assert.Equal(new[] { 1, 60, 600 }, spec.Data.Variants.Select(v => (int)Math.Floor(v.Fraction!.Value * 6000 + 1e-6)));
        var plan = StudyPlanner.Plan(spec, null, "v");
        Assert.Equal((14, 8), (plan.Cells.Count, plan.Trunks.Count));   // 12 cells in 6 trunks + a scratch reference per model
        var cells = plan.Cells.Where(c => !c.Scratch).ToList();
        Assert.Equal(new long[] { 1000, 4000 }, cells.Select(c => c.Iterations).Distinct().Order());
        Assert.All(cells, c => Assert.Equal("0", c.Pretrain.Values["drop_path_rate"].Text));
        Assert.All(cells, c => Assert.Equal(new[] { "knn", "linear_probe", "finetune" }, c.Evaluations.Where(e => e != "val_loss")));
        Assert.All(plan.Cells.Where(c => c.Scratch), c => Assert.Equal(new[] { "knn", "linear_probe", "finetune" }, c.Evaluations));
    }
}
