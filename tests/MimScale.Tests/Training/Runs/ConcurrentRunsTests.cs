using MimScale.Tests.Models.Runtime;
using MimScale.Tests.Training.Pretraining;
using MimScale.Training.Pretraining;
using MimScale.Training.Runs;
using MimScale.Training.Schedules;

namespace MimScale.Tests.Training.Runs;

/// <summary>
/// The situation of the study crash, end to end: two pre-training runs on two threads (as `study run --jobs 2` runs
/// trunks), data loading, validation and checkpoints included, while a third thread forces collections and
/// finalizers the whole time.
/// </summary>
public class ConcurrentRunsTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mimscale-concurrent-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    [FashionMnistFact]
    public void TwoRunsOnTwoThreadsUnderForcedCollectionsFinishWithIdenticalLosses()
    {
        var config = PretrainEngineTests.Tiny with { Iterations = 12, Workers = 1, Threads = 1 };
        var errors = new List<Exception>();
        long collections;
        using (var gc = new ForcedCollections())
        {
            var threads = new[] { "a", "b" }.Select(name => new Thread(() =>
            {
                try { new PretrainRun(config, Path.Combine(dir, name), TextWriter.Null).Execute(config.Iterations); }
                catch (Exception e) { lock (errors) errors.Add(e); }
            }, maxStackSize: 16 << 20)).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            collections = gc.Collections;
        }
        Assert.Empty(errors);
        Assert.True(collections > 10, $"only {collections} forced collections overlapped the runs");
        var a = MetricsLog.Read(Path.Combine(dir, "a", "metrics.jsonl")).Where(r => r.Values.ContainsKey("train_loss")).ToList();
        var b = MetricsLog.Read(Path.Combine(dir, "b", "metrics.jsonl")).Where(r => r.Values.ContainsKey("train_loss")).ToList();
        Assert.Equal(12, a.Count);
        // Same seed and config: the runs must agree step for step (nothing was corrupted under the collections).
        Assert.Equal(a.Select(r => (r.Step, r.Values["train_loss"])), b.Select(r => (r.Step, r.Values["train_loss"])));
    }
}
