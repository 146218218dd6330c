
using MimScale.Study.Workers;

namespace MimScale.Tests.Study.Workers;

public class SlurmScriptTests
{
    [Fact]
    public void AJobArrayOfWorkersEachOptionallyAnMpiJob()
    {
        var job = new SlurmJob("/s/quick.yaml", "/shared/runs/quick", "dotnet /opt/ms/mimscale.dll", Workers: 4, RanksPerWorker: 2,
            Store: "postgresql://mim@db:5432/studies", StaleAfterSeconds: 300, CpusPerTask: 8, TimeLimit: "1-00:00:00", Partition: "gpu");
        var lines = SlurmScript.Format(job, "fashion mnist/quick").Split('\n');
        Assert.Equal("#!/bin/bash", lines[0]);
        Assert.Contains("#SBATCH --job-name=mimscale-fashion_mnist_quick", lines);
        Assert.Contains("#SBATCH --array=0-3", lines);
        Assert.Contains("#SBATCH --ntasks=2", lines);
        Assert.Contains("#SBATCH --cpus-per-task=8", lines);
        Assert.Contains("#SBATCH --time=1-00:00:00", lines);
        Assert.Contains("#SBATCH --partition=gpu", lines);
        Assert.Contains("#SBATCH --output=/shared/runs/quick/workers/slurm-%A_%a.out", lines);
        Assert.Contains("srun --mpi=pmi2 --kill-on-bad-exit=1 -n 2 dotnet /opt/ms/mimscale.dll study run /s/quick.yaml --out /shared/runs/quick --worker"
            + " --store postgresql://mim@db:5432/studies --stale-after 300 --threads 8", lines);
        Assert.Contains(" --stale-after 300 --threads 1\n", SlurmScript.Format(job with { CpusPerTask = null }, "q"));   // Slurm's one core per rank
        Assert.DoesNotContain(lines, l => l.Contains("ONE node", StringComparison.Ordinal));   // a shared store: no warning
    }

    [Fact]
    public void OneRankPerWorkerExecsTheWorkerAndQuotesPaths()
    {
        var job = new SlurmJob("/my studies/q.yaml", "/runs/my study", "dotnet /ms/mimscale.dll", Workers: 1);
        var text = SlurmScript.Format(job, "q");
        Assert.Contains("\nexec dotnet /ms/mimscale.dll study run '/my studies/q.yaml' --out '/runs/my study' --worker --stale-after 120\n", text);
        Assert.Contains("#SBATCH --array=0-0\n", text);
        Assert.Contains("# Store: the folder's SQLite study.db, safe for workers on ONE node", text);
        Assert.DoesNotContain("--cpus-per-task", text);
        Assert.Contains("--workers must be at least 1 (got 0)", Assert.Throws<ArgumentException>(() => SlurmScript.Format(job with { Workers = 0 }, "q")).Message);
        Assert.Contains("--ranks-per-worker must be at least 1 (got 0)",
            Assert.Throws<ArgumentException>(() => SlurmScript.Format(job with { RanksPerWorker = 0 }, "q")).Message);
    }
}
