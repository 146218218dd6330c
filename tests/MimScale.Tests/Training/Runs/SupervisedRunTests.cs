using MimScale.Data.Loading;
using MimScale.Files;
using MimScale.Training.Optim;
using MimScale.Training.Runs;
using MimScale.Training.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Training.Runs;

/// <summary>
/// The one run loop of fine-tuning, segmentation and detection, driven by a toy task (a 1-in 1-out linear model
/// fitting y = 3x - 1 on 4 points a step): the evaluation / checkpoint cadence, exact resume, the per-step release of
/// inputs and temporaries, the non-finite stop, result.json and the job's closing line.
/// </summary>
public class SupervisedRunTests : IDisposable
{
    readonly TempFolder tmp = new();
    public void Dispose() => tmp.Dispose();

    sealed record ToyConfig(long Total, long EvalEvery, long CheckpointEvery, long LogInterval = 1, long NonFiniteFrom = long.MaxValue,
        int MaxNonFinite = 5, ulong Seed = 4)
    {
        public string ToYaml() => $"total: {Total}\neval_every: {EvalEvery}\ncheckpoint_every: {CheckpointEvery}\nseed: {Seed}\n";
    }

    sealed record ToyResult(string RunDir, long Step, double? LastTrainLoss, double WallSeconds, IReadOnlyList<long> Evaluated) : IRunResult
    {
        public string StartedFrom => "scratch";
        public string Outcome() => $"{Evaluated.Count} evaluations";
    }

    sealed class ToyRun(ToyConfig config, string runDir, TextWriter log) : SupervisedRun<ToyResult>(runDir, log)
    {
        nn.Module<Tensor, Tensor> model = null!;
        readonly List<long> evaluated = new();
        public List<Tensor> Made { get; } = new();   // every tensor Batches made, kept and not

        protected override LoopSettings Settings => new("toy", config.Seed, 0, 0, 100, config.MaxNonFinite, 4, config.LogInterval);
        protected override string RunHash => RunSession.HashOf(config.ToYaml());

        protected override RunPlan Build(Generator generator)
        {
            model = nn.Linear(1, 1);
            using (no_grad()) foreach (var p in model.parameters()) p.uniform_(-1, 1, generator);
            var constant = new CosineSchedule(0.3, 0.3, 0.3, 0, config.Total);
            return new RunPlan(model, constant, config.Total, config.EvalEvery, config.CheckpointEvery, () => "{\"config_hash\": \"" + RunHash + "\"}");
        }

        protected override IReadOnlyList<ParameterGroup> OptimizerGroups(nn.Module placed) =>
            new[] { new ParameterGroup("all", 0, 1, placed.named_parameters().Select(p => (p.name, p.parameter)).ToList()) };

        protected override IDisposable? Start(RunSession session, CheckpointEntry? resumedFrom) => null;

        protected override MicroBatches Batches(long k)
        {
            // 4 points of y = 3x - 1 with x = (4k + i) mod 7 / 7; NaN targets once the config says so.
            var xs = Enumerable.Range(0, 4).Select(i => (float)((4 * k + i) % 7) / 7).ToArray();
            var ys = xs.Select(v => k >= config.NonFiniteFrom ? float.NaN : 3 * v - 1).ToArray();
            var flat = tensor(xs);                      // a temporary: only the dispose scope of the step releases it
            var x = flat.unsqueeze(1);                  // (4, 1)
            var y = tensor(ys).unsqueeze(1);            // (4, 1)
            Made.AddRange(new[] { flat, x, y });
            return new MicroBatches(new Func<Tensor>[] { () => nn.functional.mse_loss(model.forward(x), y) }, new IDisposable[] { x, y });
        }

        protected override void Evaluate(MetricsLog metrics, long done)
        {
            evaluated.Add(done);
            metrics.Append(done, new[] { ("evaluated", (double)done) }, "val");
        }

        protected override LoaderPosition Position(long done) => new(0, (int)done);

        protected override ToyResult Finish(RunSession session, double? lastTrainLoss) =>
            new(RunDir, config.Total, lastTrainLoss, session.ElapsedSeconds, evaluated);
    }

    static Dictionary<long, double> Curve(string runDir, string key) =>
        MetricsLog.Read(Path.Combine(runDir, "metrics.jsonl")).Where(r => r.Values.ContainsKey(key)).ToDictionary(r => r.Step, r => r.Values[key]);

    static long[] Checkpoints(string runDir) => new CheckpointStore(runDir, 100).List().Select(e => e.Step).ToArray();

    [Fact]
    public void EvaluatesAndCheckpointsAtItsCadenceAndAfterTheLastStep()
    {
        string run = tmp["cadence"];
        var result = new ToyRun(new ToyConfig(Total: 7, EvalEvery: 3, CheckpointEvery: 2, LogInterval: 2), run, TextWriter.Null).Execute();
        Assert.Equal(new long[] { 3, 6, 7 }, result.Evaluated);
        Assert.Equal(new long[] { 2, 4, 6, 7 }, Checkpoints(run));
        Assert.Equal(new long[] { 2, 4, 6, 7 }, Curve(run, "train_loss").Keys.Order());
        Assert.Equal(new long[] { 3, 6, 7 }, Curve(run, "evaluated").Keys.Order());
        Assert.Equal(Curve(run, "train_loss")[7], result.LastTrainLoss);
        var json = File.ReadAllText(Path.Combine(run, "result.json"));
        Assert.Contains("\"step\": 7", json);
        Assert.Contains("\"evaluated\": [\n    3,\n    6,\n    7\n  ]", json);
    }

    [Fact]
    public void ACadenceOfZeroMeansOnlyAfterTheLastStep()
    {
        string run = tmp["zero"];
        var result = new ToyRun(new ToyConfig(Total: 5, EvalEvery: 0, CheckpointEvery: 0, LogInterval: 10), run, TextWriter.Null).Execute();
        Assert.Equal(new long[] { 5 }, result.Evaluated);
        Assert.Equal(new long[] { 5 }, Checkpoints(run));
        Assert.Equal(new long[] { 5 }, Curve(run, "train_loss").Keys.Order());   // the open interval closes at the end
    }

    [Fact]
    public void AKilledRunResumesWithExactlyTheSameLossesAndEvaluatesOnlyWhatIsLeft()
    {
        var config = new ToyConfig(Total: 9, EvalEvery: 3, CheckpointEvery: 2);
        string reference = tmp["reference"], run = tmp["killed"];
        new ToyRun(config, reference, TextWriter.Null).Execute();

        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new ToyRun(config, run, new KillAtLine("step 5/9 |", cts)).Execute(cts.Token));
        Assert.Equal(4, new CheckpointStore(run, 100).Latest()!.Step);
        Assert.False(File.Exists(Path.Combine(run, "result.json")));
        var resumed = new ToyRun(config, run, TextWriter.Null).Execute();

        Assert.Equal(new long[] { 6, 9 }, resumed.Evaluated);
        var a = Curve(reference, "train_loss");
        var b = Curve(run, "train_loss");
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), b.Keys.Order());
        foreach (var (step, loss) in a) Assert.Equal(loss, b[step]);   // bit for bit: same weights, moments and data
        Assert.NotEqual(a[1], a[9]);   // the weights moved: equal curves are not a run that never trained
    }

    [Fact]
    public void TheInputsAndTemporariesOfAStepAreReleasedWithIt()
    {
        var toy = new ToyRun(new ToyConfig(Total: 3, EvalEvery: 0, CheckpointEvery: 0), tmp["scope"], TextWriter.Null);
        toy.Execute();
        Assert.Equal(9, toy.Made.Count);
        Assert.All(toy.Made, t => Assert.True(t.IsInvalid));
    }

    [Fact]
    public void NonFiniteLossesStopTheRunAndKeepTheLastGoodCheckpoint()
    {
        string run = tmp["nan"];
        var config = new ToyConfig(Total: 8, EvalEvery: 0, CheckpointEvery: 2, NonFiniteFrom: 3, MaxNonFinite: 2);
        var ex = Assert.Throws<NonFiniteTrainingException>(() => new ToyRun(config, run, TextWriter.Null).Execute());
        Assert.Contains("2 non-finite steps in a row at step 5", ex.Message);
        Assert.Equal(new long[] { 2, 4 }, Checkpoints(run));   // a skipped update leaves the weights as they were
        Assert.Equal(new long[] { 4, 5 }, MetricsLog.Read(Path.Combine(run, "metrics.jsonl")).Where(r => r.Kind == "skipped").Select(r => r.Step));
        Assert.False(File.Exists(Path.Combine(run, "result.json")));
    }

    [Fact]
    public void TheJobClaimsTheFolderRecordsTheConfigAndClosesWithOneLine()
    {
        string run = tmp["job"];
        var config = new ToyConfig(Total: 2, EvalEvery: 0, CheckpointEvery: 0);
        var log = new StringWriter();
        var result = RunJob.Run("toy", config, run, c => c.ToYaml(), (c, d) =>
        {
            Assert.Throws<FolderLockedException>(() => RunFolder.Claim(d, "toy"));   // held while the run works
            return new ToyRun(c, d, TextWriter.Null).Execute();
        }, log);
        Assert.Equal(config.ToYaml(), File.ReadAllText(Path.Combine(run, "run.yaml")));
        Assert.Matches(@"^done: 2 iterations from scratch; 1 evaluations; \d+ s \(.*job\)$", log.ToString().TrimEnd());
        RunFolder.Claim(run, "toy").Dispose();   // released when the job ends
        Assert.Equal(2, result.Step);
    }

    sealed class KillAtLine(string marker, CancellationTokenSource cts) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith(marker, StringComparison.Ordinal) == true) cts.Cancel();
        }
    }
}
