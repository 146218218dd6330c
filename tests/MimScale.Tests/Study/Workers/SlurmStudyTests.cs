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

    [FashionMnistFact]
    public void AWorkerOfTwoRanksSubmittedThroughSrunPmi2FinishesEveryCellExactlyOnce()
    {
        Assert.Contains("pmi2", cluster.Query("srun", "--mpi=list"));   // Debian's slurm-wlm has PMI-2, MPICH's interface under Slurm
        using var tmp = new TempFolder();
        var spec = tmp["ranks.yaml"];
        File.WriteAllText(spec, WorkerRanksTests.Spec.Replace("evaluations: [val_loss, knn]", "evaluations: [val_loss]", StringComparison.Ordinal));
        var folder = StudyFolder.At(tmp["study"]);
        // The script exactly as `mimscale study slurm` writes it: one array task of two ranks under `srun --mpi=pmi2`.
        var output = new StringWriter();
        var root = new System.CommandLine.RootCommand { MimScale.Cli.Commands.StudyCommand.Create((_, _, _) => new FakeStudyExecutor(), output, output) };
        int code = root.Parse(["study", "slurm", spec, "--out", folder.Root, "--workers", "1", "--ranks-per-worker", "2", "--stale-after", "60",
            "--mimscale", $"dotnet {Path.Combine(AppContext.BaseDirectory, "mimscale.dll")}", "--file", tmp["job.sh"]]).Invoke();
        Assert.True(code == 0, output.ToString());
        Assert.Contains("\nsrun --mpi=pmi2 --kill-on-bad-exit=1 -n 2 dotnet ", File.ReadAllText(tmp["job.sh"]));

        var jobId = cluster.Query("sbatch", "--parsable", tmp["job.sh"]).Trim().Split(';')[0];
        var clock = Stopwatch.StartNew();
        while (cluster.Query("squeue", "-h", "-j", jobId).Trim().Length > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(15), $"job {jobId} still queued or running: {cluster.Query("squeue")}\n{Outputs(folder)}");
            Thread.Sleep(500);
        }

        var outputs = Outputs(folder);
        using var store = StudyStore.Open(folder.DatabasePath);
        var cells = store.LoadCells(store.CurrentSpec()!.Value.CellKeys);
        Assert.Equal(2, cells.Count);
        Assert.All(cells, c => Assert.True(c.Stage == CellStage.Done, outputs));
        var claim = Assert.Single(store.Claims.All());
        Assert.Equal(("done", 1L), (claim.Outcome, claim.Attempts));                       // one worker trained the trunk, once
        Assert.Contains($":slurm {jobId}_0", claim.LastWorker);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(outputs, @"data-parallel: 2 ranks; gradient all-reduce"));   // trunk + 2 branches on both ranks
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(outputs, @"\[pre-trained\] swinv2-pico"));   // every cell reported exactly once
        Assert.All(cells, c => Assert.Contains("2 MPI ranks", c.Run!.Device));
    }

    private static string Outputs(StudyFolder folder)
    {
        var dir = Path.Combine(folder.Root, "workers");
        return string.Join("\n", Directory.GetFiles(dir, "slurm-*.out").Order().Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"));
    }
}
