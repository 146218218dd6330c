using MimScale.Data.Loading;
using MimScale.Data.Transforms;
using MimScale.Training.Runs;
using TorchSharp;

namespace MimScale.Tests.Data.Loading;

/// <summary>Loader threads beside a CPU training step (issue 17): how many, at what priority, and that neither changes a batch.</summary>
public class LoaderThreadsTests
{
    [Theory]
    [InlineData(8, 2, 2, 1)]    // the issue: the paper preset's 8 workers on 2 cores with 2 torch threads
    [InlineData(2, 1, 2, 1)]    // one core for the step, one for decoding
    [InlineData(8, 2, 8, 6)]    // the cores the step leaves
    [InlineData(4, 2, 16, 4)]   // never more than asked
    [InlineData(3, 16, 8, 1)]   // never fewer than one
    public void WorkersBeside_GivesTheDecodersTheCoresTheStepLeaves(int requested, int torchThreads, int cores, int expected) =>
        Assert.Equal(expected, LoaderOptions.WorkersBeside(requested, torchThreads, cores));

    [Fact]
    public void Feeding_SizesEveryCpuStreamAgainstTorchsThreadsAndKeepsTheRest()
    {
        var o = LoaderOptions.Evaluation(64, workers: 8) with { Seed = 3 };
        var cpu = o.Feeding(torch.CPU);
        int expected = Math.Clamp(Environment.ProcessorCount - torch.get_num_threads(), 1, 8);
        Assert.Equal(expected, cpu.Workers);
        Assert.True(cpu.IdlePriority);
        Assert.Equal(o with { Workers = expected, IdlePriority = true }, cpu);   // batch size, order, seed, epochs untouched
        var accelerator = o.Feeding(new torch.Device(DeviceType.CUDA, 0));      // never moved there: sizing only reads the type
        Assert.Equal(o, accelerator);
    }

    [Fact]
    public void IdlePriorityWorkers_GiveBitIdenticalBatches()
    {
        var source = new PatternSource(23, 3);
        var t = new SimMimTransform(new SimMimTransformConfig { ImageSize = 32, Masks = new(patchSize: 8), ModelPatchSize = 4 });
        var o = new LoaderOptions { BatchSize = 5, Workers = 2, Prefetch = 3, Seed = 7 };
        using var plain = new SimMimLoader(source, t, o);
        using var idle = new SimMimLoader(source, t, o with { Workers = 1, IdlePriority = true });
        for (int i = 0; i < 6; i++)
        {
            using var a = plain.Next()!;
            using var b = idle.Next()!;
            Assert.Equal(a.Indices, b.Indices);
            Assert.Equal(a.Masks.data<long>().ToArray(), b.Masks.data<long>().ToArray());
            Assert.Equal(a.Images.data<float>().ToArray(), b.Images.data<float>().ToArray());
        }
    }

    [Fact]
    public void WorkerPriority_LowersOnlyTheCallingThreadToSchedIdle()
    {
        if (!OperatingSystem.IsLinux()) return;
        int before = WorkerPriority.CurrentPolicy();
        bool lowered = false;
        int policy = -1;
        var thread = new Thread(() =>
        {
            lowered = WorkerPriority.LowerCurrentThread();
            policy = WorkerPriority.CurrentPolicy();
        });
        thread.Start();
        thread.Join();
        Assert.True(lowered);
        Assert.Equal(5, policy);                      // SCHED_IDLE
        Assert.Equal(before, WorkerPriority.CurrentPolicy());   // the caller keeps its policy (SCHED_OTHER = 0)
        Assert.Equal(0, before);
    }
}
