using System.CommandLine;
using MimScale.Cli.Commands;
using MimScale.Study.Execution;
using MimScale.Tests.Data;
using MimScale.Tests.Study;

namespace MimScale.Tests.Cli;

public class StudyWorkerCommandTests
{
    private static (int Code, string Out, string Err) Invoke(IStudyExecutor executor, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand { StudyCommand.Create((_, _, _) => executor, output, error) };
        int code = root.Parse(args).Invoke();
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void SlurmWritesTheScriptAndItsOutputFolder()
    {
        using var tmp = new TempFolder();
        var spec = tmp["s.yaml"];
        File.WriteAllText(spec, StudyTestData.Spec());
        var dir = tmp["study"];
        var r = Invoke(new FakeStudyExecutor(), "study", "slurm", spec, "--out", dir, "--workers", "3", "--ranks-per-worker", "2", "--mimscale", "mimscale",
            "--file", tmp["job.sh"]);
        Assert.Equal(0, r.Code);
        Assert.Contains($"wrote {tmp["job.sh"]}: 3 worker(s) x 2 rank(s); submit with `sbatch {tmp["job.sh"]}`", r.Out);
        var text = File.ReadAllText(tmp["job.sh"]);
        Assert.Contains("#SBATCH --array=0-2\n", text);
        Assert.Contains($"srun --mpi=pmi2 --kill-on-bad-exit=1 -n 2 mimscale study run {spec} --out {dir} --worker --stale-after 120 --threads 1\n", text);
        Assert.True(Directory.Exists(Path.Combine(dir, "workers")));

        var bad = Invoke(new FakeStudyExecutor(), "study", "slurm", spec, "--workers", "0");
        Assert.Equal((1, "error: --workers must be at least 1 (got 0)"), (bad.Code, bad.Err.Trim()));
    }

    [Fact]
    public void BadWorkerOptionsAndStoresAreOneLineErrorsBeforeAnyWork()
    {
        using var tmp = new TempFolder();
        var spec = tmp["s.yaml"];
        File.WriteAllText(spec, StudyTestData.Spec(models: "[swinv2-pico]", fractions: "[0.1]", evaluations: "[val_loss]"));
        var dir = tmp["study"];
        var stale = Invoke(new FakeStudyExecutor(), "study", "run", spec, "--out", dir, "--worker", "--stale-after", "0");
        Assert.Equal((1, "error: --stale-after must be positive (got 0)"), (stale.Code, stale.Err.Trim()));
        var store = Invoke(new FakeStudyExecutor(), "study", "status", spec, "--out", dir, "--store", "mysql://x/y");
        Assert.Equal(1, store.Code);
        Assert.Contains("error: --store mysql://x/y: unknown kind of store", store.Err);
        Assert.False(Directory.Exists(dir));
    }
}
