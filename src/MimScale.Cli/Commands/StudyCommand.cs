using System.CommandLine;
using System.Globalization;
using MimScale.Analysis.Report;
using MimScale.Data.Errors;
using MimScale.Models.Zoo;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Study.Spec;
using MimScale.Study.Store;
using MimScale.Study.Workers;
using MimScale.Training.Distributed;

namespace MimScale.Cli.Commands;

/// <summary>
/// `mimscale study plan|run|status|report|slurm`: a data-scaling study from a spec in studies/*.yaml. The executor (the
/// pre-training engine) comes from <c>executorFactory(spec, studyFolder, threadsPerJob)</c>, called only by `run`.
/// </summary>
public static class StudyCommand
{
    /// <param name="executorFactory">Builds the executor for a spec, its study folder and the torch threads of each job (0 = default).</param>
    /// <param name="output">Where normal output goes (default Console.Out).</param>
    /// <param name="error">Where errors go (default Console.Error).</param>
    public static Command Create(Func<StudySpec, string, int, IStudyExecutor> executorFactory, TextWriter? output = null, TextWriter? error = null)
    {
        var command = new Command("study", "Data-scaling studies: plan the grid and shared trunks, run (resumable), status, report.");
        command.Subcommands.Add(Plan(() => output ?? Console.Out, () => error ?? Console.Error));
        command.Subcommands.Add(Run(executorFactory, () => output ?? Console.Out, () => error ?? Console.Error));
        command.Subcommands.Add(Status(() => output ?? Console.Out, () => error ?? Console.Error));
        command.Subcommands.Add(Report(() => output ?? Console.Out, () => error ?? Console.Error));
        command.Subcommands.Add(StudySlurmCommand.Create(() => output ?? Console.Out, () => error ?? Console.Error));
        return command;
    }

    private static Option<string?> OutOption() => new("--out") { Description = "Study folder (default: runs/<study name> under the current folder)." };

    private static Option<string?> StoreOption() => new("--store")
    {
        Description = "Study store: the folder's study.db by default, a SQLite file path, or postgresql://user@host:port/database[?host=SOCKETDIR&schema=NAME] shared by workers on many machines.",
    };

    private static StoreLocation Store(ParseResult parse, Option<string?> option) => new StoreLocation(parse.GetValue(option)).Validated();

    private static Command Plan(Func<TextWriter> output, Func<TextWriter> error)
    {
        var spec = new Argument<string>("SPEC") { Description = "Study spec (studies/*.yaml)." };
        var outDir = OutOption();
        var measure = new Option<bool>("--measure") { Description = "Time a few real training steps per model to estimate hours on this machine." };
        var gflops = new Option<double>("--gflops") { Description = "Assumed sustained GFLOP/s when not measuring.", DefaultValueFactory = _ => ComputeRate.DefaultGflops };
        var store = StoreOption();
        var cmd = new Command("plan", "Print the cells, shared trunks (branch points at the decay milestones) and estimated compute, before anything runs.") { spec, outDir, measure, gflops, store };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            var s = StudySpecReader.Load(parse.GetValue(spec)!);
            StudyPlan plan;
            try { plan = StudyPlanner.Plan(s, new ManifestResolver(null)); }
            catch (Exception e) when (e is DataSourceException or IOException)
            {
                output().WriteLine($"note: cannot read the data source ({e.Message}); planning without manifest hashes");
                plan = StudyPlanner.Plan(s);
            }
            var rate = new ComputeRate(parse.GetValue(gflops));
            if (parse.GetValue(measure))
            {
                int batch = Math.Min(plan.Trunks[0].Config.BatchSize, 64);
                var measured = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var model in s.Models)
                {
                    output().WriteLine($"measuring {model}: training steps at batch {batch} ...");
                    measured[model] = ThroughputProbe.SecondsPerImage(ModelZoo.Get(model), batch);
                }
                rate = rate with { MeasuredSecondsPerImage = measured };
            }
            output().Write(PlanText.Format(plan, rate));
            var folder = Folder(parse.GetValue(outDir), s);
            var location = Store(parse, store);
            if (folder.Exists || location.Address is not null)
            {
                using var db = location.Open(s.Name, folder);
                var stored = db.PretrainedKeys(plan.Cells.Select(c => c.Key));
                output().WriteLine($"{stored.Count} of these cells are already pre-trained in {folder.Root}");
            }
            return 0;
        }, error()));
        return cmd;
    }

    private static Command Run(Func<StudySpec, string, int, IStudyExecutor> factory, Func<TextWriter> output, Func<TextWriter> error)
    {
        var spec = new Argument<string>("SPEC") { Description = "Study spec (studies/*.yaml)." };
        var outDir = OutOption();
        var jobs = new Option<int>("--jobs")
        {
            Description = "Trunks trained at the same time, each on cores/jobs torch threads (small models run faster as 2 jobs x 1 thread than 1 x 2).",
            DefaultValueFactory = _ => 1,
        };
        var verbose = new Option<bool>("--verbose") { Description = "Print the whole exception of a failure (always written to study.log)." };
        var worker = new Option<bool>("--worker")
        {
            Description = "Share the study with other `study run --worker` processes (this or other machines, same --out folder and --store): claim trunks one at a time, heartbeat, take over trunks of workers that died. Under `mpiexec -n N` or `srun --mpi=pmi2 -n N` the N ranks are one worker: rank 0 claims, records and evaluates, all N pre-train each trunk data-parallel.",
        };
        var store = StoreOption();
        var staleAfter = new Option<double>("--stale-after")
        {
            Description = "With --worker: seconds without heartbeat after which another worker takes a trunk over (heartbeat every quarter of it).",
            DefaultValueFactory = _ => 120,
        };
        var workerId = new Option<string?>("--worker-id") { Description = "With --worker: this worker's name (default host:pid, plus the Slurm job)." };
        var threads = new Option<int>("--threads")
        {
            Description = "Torch threads per job (default: all cores, or cores/jobs with --jobs); e.g. 1 for each of two workers on a 2-core machine.",
        };
        var cmd = new Command("run", "Run what is not done yet (killed and restarted, it continues where it stopped), then write the report.")
        { spec, outDir, jobs, verbose, worker, store, staleAfter, workerId, threads };
        cmd.SetAction((parse, ct) => Task.FromResult(CliErrors.Run(() =>
        {
            var s = StudySpecReader.Load(parse.GetValue(spec)!);
            var folder = Folder(parse.GetValue(outDir), s);
            int n = parse.GetValue(jobs);
            if (n < 1) throw new ArgumentException("--jobs must be at least 1");
            var storeAt = Store(parse, store);
            var workerOptions = parse.GetValue(worker)
                ? new WorkerOptions(parse.GetValue(workerId) ?? WorkerOptions.DefaultId(), parse.GetValue(staleAfter)).Validated()
                : null;
            if (parse.GetValue(threads) < 0) throw new ArgumentException("--threads must be positive");
            using var ranks = Collectives.FromEnvironment();   // MPI ranks under mpiexec / srun --mpi=pmi2, else this process alone
            var executor = factory(s, folder.Root, parse.GetValue(threads) is > 0 and var t ? t : n > 1 ? Math.Max(1, Environment.ProcessorCount / n) : 0); // first: an unwired engine fails before anything is written
            var plan = StudyRunner.PlanFor(s, folder);
            try
            {
                var summary = new StudyRunner(executor, output(), parse.GetValue(verbose)).Run(plan, folder, ct, jobs: n, worker: workerOptions,
                    storeAt: storeAt, ranks: ranks);
                if (!ranks.IsRoot) return 0;   // rank 0 reports for the job
                output().WriteLine($"study {s.Name}: {summary.Done}/{summary.Cells} cells done ({summary.PretrainedThisRun} pre-trained and {summary.EvaluationsThisRun} evaluations in this run)");
                if (summary.Failed == 0) return 0;
                error().WriteLine($"error: {summary.Failed} cell(s) failed ({summary.Counts}); `mimscale study status` lists them, study.log has the details; run the same command again to retry them");
                return 1;
            }
            catch (OperationCanceledException)
            {
                error().WriteLine($"stopped; finished work is stored in {folder.DatabasePath}; run the same command again to continue");
                return 130;
            }
            finally { (executor as IDisposable)?.Dispose(); }
        }, error())));
        return cmd;
    }

    private static Command Status(Func<TextWriter> output, Func<TextWriter> error)
    {
        var target = new Argument<string>("SPEC|DIR") { Description = "A study spec (its folder from --out or the default) or a study folder (its last run spec)." };
        var outDir = OutOption();
        var store = StoreOption();
        var cmd = new Command("status", "Print the table of cells with their stage and key numbers, and the trunks workers hold.") { target, outDir, store };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            var t = StudyStatus.Load(parse.GetValue(target)!, parse.GetValue(outDir), Store(parse, store));
            if (t is null) { output().WriteLine("no results yet; run `mimscale study run SPEC` first"); return 0; }
            output().Write(StatusText.Format(t.Name, t.Cells, t.OtherCells, t.Claims));
            return 0;
        }, error()));
        return cmd;
    }

    private static Command Report(Func<TextWriter> output, Func<TextWriter> error)
    {
        var target = new Argument<string>("SPEC|DIR") { Description = "A study spec or a study folder." };
        var outDir = OutOption();
        var metric = new Option<string?>("--metric") { Description = "Primary metric (default: the spec's report_metric)." };
        var store = StoreOption();
        var cmd = new Command("report", "Build the results from the store and write results.json, report.md, report.html and plots/ into the study folder.") { target, outDir, metric, store };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            var t = StudyStatus.Load(parse.GetValue(target)!, parse.GetValue(outDir), Store(parse, store));
            if (t is null) { error().WriteLine("error: no results yet; run `mimscale study run SPEC` first"); return 1; }
            var (name, cells, _, folder, reportMetric, _) = t;
            using var log = new StudyLog(output(), null);
            var files = StudyReport.Write(name, cells, folder, new AnalysisOptions(Metric: parse.GetValue(metric) ?? reportMetric), log);
            if (files is null) return 1;
            output().Write(TextReport.Full(files.Analysis));
            return 0;
        }, error()));
        return cmd;
    }

    private static StudyFolder Folder(string? outDir, StudySpec spec) => outDir is null ? StudyFolder.DefaultFor(spec) : StudyFolder.At(outDir);
}
