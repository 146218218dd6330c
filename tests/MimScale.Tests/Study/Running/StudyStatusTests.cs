using MimScale.Study.Running;
using MimScale.Study.Spec;
using MimScale.Study.Store;
using MimScale.Tests.Data;

namespace MimScale.Tests.Study.Running;

public class StudyStatusTests
{
    [Fact]
    public void CellsOfARunnerThatDiedShowAsInterruptedWhileALiveRunnersShowAsRunning()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = StudyRunner.PlanFor(StudySpecReader.Parse(StudyTestData.Spec(), "t.yaml"), folder, StudyTestData.Open, "v1");
        using (var store = StudyStore.Open(folder.DatabasePath))
        {
            store.RegisterPlan(plan);
            store.SetStage([plan.Cells[0].Key], CellStage.Pretraining);
            store.SetStage([plan.Cells[1].Key], CellStage.Evaluating, "knn");
        }
        // No `study run` holds the folder: the runner that marked these cells is gone.
        var dead = StudyStatus.Load(folder.Root, null)!;
        Assert.Equal(CellStage.Planned, dead.Cells.Single(c => c.Key == plan.Cells[0].Key).Stage);
        Assert.StartsWith("interrupted: its `study run` is gone", dead.Cells.Single(c => c.Key == plan.Cells[0].Key).Message);
        Assert.Equal(CellStage.Pretrained, dead.Cells.Single(c => c.Key == plan.Cells[1].Key).Stage);
        Assert.StartsWith("interrupted (knn)", dead.Cells.Single(c => c.Key == plan.Cells[1].Key).Message);
        Assert.DoesNotContain("pretraining", StatusText.Format(dead.Name, dead.Cells, 0));

        using (folder.Lock())   // a live runner: its cells are really running
        {
            var live = StudyStatus.Load(folder.Root, null)!;
            Assert.Equal(CellStage.Pretraining, live.Cells.Single(c => c.Key == plan.Cells[0].Key).Stage);
        }
    }
}
