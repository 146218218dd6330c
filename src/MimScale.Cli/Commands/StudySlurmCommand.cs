using System.CommandLine;
using MimScale.Files;
using MimScale.Study.Running;
using MimScale.Study.Spec;
using MimScale.Study.Workers;

namespace MimScale.Cli.Commands;

/// <summary>`mimscale study slurm SPEC`: writes the Slurm batch script of a job array of study workers.</summary>
public static class StudySlurmCommand
{
    /// <summary>The `slurm` subcommand of `study`.</summary>
    public static Command Create(Func<TextWriter> output, Func<TextWriter> error)
    {
        var spec = new Argument<string>("SPEC") { Description = "Study spec (studies/*.yaml)." };
        var outDir = new Option<string?>("--out") { Description = "Study folder (default: runs/<study name> under the current folder); must be visible to every node." };
        var workers = new Option<int>("--workers") { Description = "Workers (array tasks) sharing the study.", DefaultValueFactory = _ => 2 };
        var ranks = new Option<int>("--ranks-per-worker") { Description = "MPI ranks per worker; above 1 each worker runs under `srun --mpi=pmi2 -n N`.", DefaultValueFactory = _ => 1 };
        var store = new Option<string?>("--store") { Description = "Store every worker uses (default: the folder's study.db, one node only; postgresql://... for many)." };
        var staleAfter = new Option<double>("--stale-after") { Description = "Seconds without heartbeat before a trunk is taken over.", DefaultValueFactory = _ => 120 };
        var cpus = new Option<int?>("--cpus-per-task") { Description = "Cores per rank (Slurm --cpus-per-task)." };
        var time = new Option<string?>("--time") { Description = "Slurm time limit per array task, e.g. 2-00:00:00." };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition (default: the cluster's default)." };
        var mimscale = new Option<string?>("--mimscale") { Description = "Command that starts MimScale on a node (default: this installation, e.g. `dotnet /path/mimscale.dll`)." };
        var file = new Option<string?>("--file") { Description = "Write the script here (default: print it)." };
        var cmd = new Command("slurm", "Write a Slurm batch script: a job array of `study run --worker` processes sharing one store.")
        { spec, outDir, workers, ranks, store, staleAfter, cpus, time, partition, mimscale, file };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            var s = StudySpecReader.Load(parse.GetValue(spec)!);
            var folder = parse.GetValue(outDir) is { } o ? StudyFolder.At(o) : StudyFolder.DefaultFor(s);
            var job = new SlurmJob(Path.GetFullPath(parse.GetValue(spec)!), folder.Root, parse.GetValue(mimscale) ?? ThisMimScale(), parse.GetValue(workers),
                parse.GetValue(ranks), parse.GetValue(store), parse.GetValue(staleAfter), parse.GetValue(cpus), parse.GetValue(time), parse.GetValue(partition));
            var text = SlurmScript.Format(job, s.Name);
            if (parse.GetValue(file) is not { } path) { output().Write(text); return 0; }
            Directory.CreateDirectory(Path.Combine(folder.Root, "workers"));   // Slurm opens --output there before the script runs
            AtomicFile.WriteAllText(path, text);
            output().WriteLine($"wrote {path}: {job.Workers} worker(s) x {job.RanksPerWorker} rank(s); submit with `sbatch {path}`");
            return 0;
        }, error()));
        return cmd;
    }

    /// <summary>"dotnet /path/mimscale.dll" when run through dotnet, else this executable.</summary>
    private static string ThisMimScale()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var dll = Path.Combine(AppContext.BaseDirectory, "mimscale.dll");
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? $"{process} {dll}" : process;
    }
}
