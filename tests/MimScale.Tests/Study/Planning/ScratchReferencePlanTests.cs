using MimScale.Study.Planning;
using MimScale.Study.Spec;

namespace MimScale.Tests.Study.Planning;

/// <summary>
/// What <c>scratch_reference: true</c> plans: one reference per model and seed after the grid, with zero pre-training,
/// a key that hashes the evaluations but no pre-training input, and main cells exactly as without it.
/// </summary>
public class ScratchReferencePlanTests
{
    static StudyPlan Plan(string extraTop = "", string seeds = "[0]", string lr = "4.0e-4", string k = "k: 5") =>
        StudyPlanner.Plan(StudySpecReader.Parse(StudyTestData.Spec(seeds: seeds, lr: lr, extraTop: extraTop).Replace("k: 5", k), "t.yaml"), null, "v");

    const string On = "scratch_reference: true";

    [Fact]
    public void OneReferencePerModelAndSeedFollowsTheUnchangedGrid()
    {
        var off = Plan();
        var on = Plan(On);
        Assert.Equal(off.Trunks.Select(t => t.Key), on.Trunks.Take(off.Trunks.Count).Select(t => t.Key));
        Assert.Equal(off.Cells.Select(c => c.Key), on.Cells.Take(off.Cells.Count).Select(c => c.Key));
        Assert.Equal((off.TotalIterations, off.TotalFlops), (on.TotalIterations, on.TotalFlops));   // references pre-train nothing

        var refs = on.Trunks.Skip(off.Trunks.Count).ToList();
        Assert.Equal(2, refs.Count);
        Assert.All(refs, t => Assert.True(t.Scratch));
        var cells = refs.Select(t => Assert.Single(t.Cells)).ToList();
        Assert.Equal(new[] { "swinv2-pico", "swinv2-nano" }, cells.Select(c => c.Model));
        Assert.All(cells, c =>
        {
            Assert.True(c.Scratch);
            Assert.Equal((0L, 0L, 0.0, 0.0, 0), (c.Iterations, c.DecayStart, c.AttributedIterations, c.AttributedFlops, c.Seed));
            Assert.Equal(new[] { "knn", "finetune" }, c.Evaluations);   // every evaluation but the validation loss
            Assert.Equal(c.Key, c.TrunkKey);
            Assert.StartsWith($"{c.Model}-scratch-s0-", c.Key);
            Assert.Contains("\"arm\":{\"name\":\"scratch\"}", c.ConfigJson);
            Assert.Contains("\"evaluations\":[\"knn\",\"finetune\"]", c.ConfigJson);
            Assert.DoesNotContain("\"pretrain\"", c.ConfigJson);
            Assert.Equal(StudyPlanner.ScratchLabel, c.Data.Label);
            Assert.Equal(("pattern:test", "pattern:train"), (c.Data.ValSource, c.Data.EvalSource));
        });
        Assert.Equal("swinv2-pico / scratch (no pre-training) / 0 / seed 0", cells[0].Describe());
        Assert.Equal((0L, 0L, 0.0), (refs[0].TotalIterations, refs[0].TrunkIterations, refs[0].TotalFlops));
        Assert.Equal(0, new ComputeRate(2.0).Hours(refs[0]));

        // Seeds: one reference per model and seed (the seed of its random init and of its evaluations).
        var seeded = Plan(On, seeds: "[0, 1]");
        var seededRefs = seeded.Cells.Where(c => c.Scratch).ToList();
        Assert.Equal(new[] { ("swinv2-pico", 0), ("swinv2-pico", 1), ("swinv2-nano", 0), ("swinv2-nano", 1) }, seededRefs.Select(c => (c.Model, c.Seed)));
        Assert.Equal(4, seededRefs.Select(c => c.Key).Distinct().Count());
    }

    [Fact]
    public void TheReferenceKeyFollowsTheEvaluationsNotThePretrainingRecipe()
    {
        var plan = Plan(On);
        var otherLr = Plan(On, lr: "8.0e-4");
        var otherK = Plan(On, k: "k: 7");
        Assert.Empty(plan.Cells.Where(c => !c.Scratch).Select(c => c.Key).Intersect(otherLr.Cells.Select(c => c.Key)));   // the grid is retrained
        Assert.Equal(plan.Cells.Where(c => c.Scratch).Select(c => c.Key), otherLr.Cells.Where(c => c.Scratch).Select(c => c.Key));   // the reference is not
        Assert.Empty(plan.Cells.Where(c => c.Scratch).Select(c => c.Key).Intersect(otherK.Cells.Select(c => c.Key)));   // another k-NN: another reference
    }

    [Fact]
    public void ThePlanListsTheReferencesApartWithTheirCost()
    {
        var plan = Plan(On);
        var text = PlanText.Format(plan, new ComputeRate(2.0));
        Assert.Contains("= 8 cells in 4 trunks + 2 scratch references (", text);
        Assert.Contains("scratch references (no pre-training: every evaluation but val_loss from a random initialisation", text);
        foreach (var c in plan.Cells.Where(c => c.Scratch))
            Assert.Matches($@"{c.Key}\s+{c.Model}\s+0\s+knn, finetune\s+0 iterations, 0 FLOPs\s+the evaluations of one cell", text);
        Assert.DoesNotContain(StudyPlanner.ScratchLabel, text);   // not a trunk, cell or data row
        Assert.Equal(PlanText.Format(Plan(), new ComputeRate(2.0)).Split("total:")[1], text.Split("total:")[1]);   // same totals
    }
}
