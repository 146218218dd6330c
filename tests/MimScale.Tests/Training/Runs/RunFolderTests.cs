using System.Diagnostics;
using MimScale.Data.Sources;
using MimScale.Files;
using MimScale.Tests.Cli;
using MimScale.Tests.Data;
using MimScale.Tests.Training.Pretraining;
using MimScale.Training.Pretraining;
using MimScale.Training.Runs;
using SkiaSharp;

namespace MimScale.Tests.Training.Runs;

/// <summary>A run folder has one owner; a failed start does not poison it; what a run skipped is kept in it.</summary>
[Collection(ConsoleCollection.Name)]
public class RunFolderTests
{
    private static PretrainConfig Tiny(string source, string val) => PretrainEngineTests.Tiny with
    {
        Source = source,
        ValSource = val,
        Fraction = 1,
        Iterations = 4,
        EvalInterval = 4,
        CheckpointInterval = 4,
        ReconImages = 0,
        Workers = 1,
    };

    private static string WriteConfig(TempFolder tmp, string name, PretrainConfig config)
    {
        var path = tmp[name];
        File.WriteAllText(path, PretrainConfigYaml.ToYaml(config));
        return path;
    }

    [Fact]
    public void ASecondOwnerOfALiveRunFolderIsRefusedWithOneLine()
    {
        using var tmp = new TempFolder();
        var dir = tmp["run"];
        using var first = RunFolder.Claim(dir, "pretrain");
        var e = Assert.Throws<FolderLockedException>(() => RunFolder.Claim(dir, "pretrain"));
        Assert.Equal($"{Path.GetFullPath(dir)}: another `mimscale pretrain` is already working in this folder; wait for it to end or use another folder", e.Message);
        // Through the command: exit 1, that one line, nothing else.
        SyntheticImageFolder.Write(tmp["ds"], classes: 2, perClass: 8, width: 40, height: 40);
        var config = WriteConfig(tmp, "c.yaml", Tiny(tmp["ds"], tmp["ds"]));
        var (code, _, err) = CliRun.Invoke("pretrain", "--config", config, "--out", dir);
        Assert.Equal(1, code);
        Assert.Equal($"error: {e.Message}", err.Trim());
        Assert.False(File.Exists(Path.Combine(dir, "metrics.jsonl")));
    }

    [Fact]
    public void AKilledOwnersLockDoesNotBlockTheResume()
    {
        using var tmp = new TempFolder();
        var dir = tmp["run"];
        Directory.CreateDirectory(dir);
        // Another process holds the folder the way a run does (flock on run.lock), then dies by SIGKILL.
        // (-o: the lock stays with the flock process itself, not with the sleep it runs.)
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-o", "-x", Path.Combine(dir, "run.lock"), "sleep", "60"]))!;
        var clock = Stopwatch.StartNew();
        while (!FolderLock.IsHeld(dir, "run.lock") && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(20);
        Assert.Throws<FolderLockedException>(() => RunFolder.Claim(dir, "pretrain"));
        holder.Kill(entireProcessTree: true);   // SIGKILL
        holder.WaitForExit();
        clock.Restart();
        while (FolderLock.IsHeld(dir, "run.lock") && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(20);
        using var resumed = RunFolder.Claim(dir, "pretrain");   // the kernel dropped the dead process's lock
        Assert.Equal(Path.GetFullPath(dir), resumed.Dir);
    }

    [Fact]
    public void ACorrectedRerunAfterAFailedStartWorksAndBadImagesAreListedInTheRunFolder()
    {
        using var tmp = new TempFolder();
        SyntheticImageFolder.Write(tmp["ds"], classes: 2, perClass: 8, width: 40, height: 40, format: SKEncodedImageFormat.Jpeg);
        File.WriteAllText(tmp["ds/class_001/img_0003.jpg"], "garbage");
        var dir = tmp["run"];
        var bad = WriteConfig(tmp, "bad.yaml", Tiny(tmp["no-such-folder"], tmp["ds"]));
        Assert.ThrowsAny<Exception>(() => PretrainJob.Run(new PretrainRequest(bad, [], dir, null, null), TextWriter.Null));
        Assert.True(File.Exists(Path.Combine(dir, "run.yaml")));          // the failed start left its config ...
        var good = WriteConfig(tmp, "good.yaml", Tiny(tmp["ds"], tmp["ds"]));
        var log = new StringWriter();
        PretrainJob.Run(new PretrainRequest(good, [], dir, null, null), log);   // ... and the corrected one replaces it
        Assert.Contains("done: 4 iterations", log.ToString());
        Assert.Equal(File.ReadAllText(good), File.ReadAllText(Path.Combine(dir, "run.yaml")));
        var list = File.ReadAllLines(Path.Combine(dir, BadImageList.FileName));
        Assert.Equal("# index\tid\treason", list[0]);
        var entry = Assert.Single(list.Skip(1));
        Assert.Contains("class_001/img_0003.jpg", entry);

        // Run again when finished: no step runs, and the summary still has the run's numbers.
        var again = new StringWriter();
        PretrainJob.Run(new PretrainRequest(good, [], dir, null, null), again);
        Assert.Matches(@"done: 4 iterations, train \d\.\d{4}, val \d\.\d{4}", again.ToString());
        // A started run keeps its config: a different one is refused.
        var other = WriteConfig(tmp, "other.yaml", Tiny(tmp["ds"], tmp["ds"]) with { BaseLr = 1e-3 });
        var e = Assert.Throws<InvalidOperationException>(() => PretrainJob.Run(new PretrainRequest(other, [], dir, null, null), TextWriter.Null));
        Assert.Contains("holds a run with a different config", e.Message);
    }
}
