using System.Diagnostics;
using MimScale.Study.Running;
using MimScale.Study.Store;
using MimScale.Study.Workers;
using MimScale.Tests.Data;

namespace MimScale.Tests.Study.Workers;

/// <summary>A real Slurm job array of study workers on a one-node cluster on localhost (<see cref="SlurmCluster"/>).</summary>
public sealed class SlurmStudyTests(SlurmCluster cluster) : IClassFixture<SlurmCluster>
{
    /// <summary>Two pico trunks of 20 iterations (2% and 5% of Fashion-MNIST): two workers, one trunk each when both run at once.</summary>
    private const string Spec = """
        name: slurm-study
        models: [swinv2-pico]
        data:
          name: FMNIST
          source: fashion-mnist:/usr/share/datasets/fashion-mnist@train
          val_source: fashion-mnist:/usr/share/datasets/fashion-mnist@test
          fractions: [0.02, 0.05]
        lengths: [20]
        evaluations: [val_loss]
        pretrain:
          batch_size: 8
          warmup_iterations: 5
          eval_interval: 20
          val_images: 16
          log_interval: 10
          checkpoint_interval: 10
          recon_images: 0
        """;

    [FashionMnistFact]
    public void AStudySubmittedAsAnArrayJobFinishesEveryCellExactlyOnce()
    {
        using var tmp = new TempFolder();
        var spec = tmp["slurm.yaml"];
        File.WriteAllText(spec, Spec);
        var folder = StudyFolder.At(tmp["study"]);
        var script = SlurmScript.Format(new SlurmJob(spec, folder.Root, $"dotnet {Path.Combine(AppContext.BaseDirectory, "mimscale.dll")}", Workers: 2,
            StaleAfterSeconds: 60), "slurm-study");
        Directory.CreateDirectory(Path.Combine(folder.Root, "workers"));
        File.WriteAllText(tmp["job.sh"], script);

        var jobId = cluster.Query("sbatch", "--parsable", tmp["job.sh"]).Trim().Split(';')[0];
        var clock = Stopwatch.StartNew();
        while (cluster.Query("squeue", "-h", "-j", jobId).Trim().Length > 0)   // pending or running tasks of the array
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(15), $"job {jobId} still queued or running: {cluster.Query("squeue")}\n{Outputs(folder)}");
            Thread.Sleep(500);
        }

        var outputs = Outputs(folder);
        Assert.True(File.Exists(Path.Combine(folder.Root, "workers", $"slurm-{jobId}_0.out")), outputs);
        Assert.True(File.Exists(Path.Combine(folder.Root, "workers", $"slurm-{jobId}_1.out")), outputs);
        using var store = StudyStore.Open(folder.DatabasePath);
        var cells = store.LoadCells(store.CurrentSpec()!.Value.CellKeys);   // keys as the workers planned them (with manifest hashes)
        Assert.Equal(2, cells.Count);
        Assert.All(cells, c => Assert.True(c.Stage == CellStage.Done, outputs));
        var claims = store.Claims.All();
        Assert.Equal(2, claims.Count);
        Assert.All(claims, c => Assert.Equal(("done", 1L), (c.Outcome, c.Attempts)));   // each trunk trained by one worker, once
        Assert.All(claims, c => Assert.Contains($":slurm {jobId}_", c.LastWorker));         // worker ids name the array task
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(outputs, @"\[pre-trained\] swinv2-pico"));   // every cell reported exactly once
    }

    private static string Outputs(StudyFolder folder)
    {
        var dir = Path.Combine(folder.Root, "workers");
        return string.Join("\n", Directory.GetFiles(dir, "slurm-*.out").Order().Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"));
    }
}
