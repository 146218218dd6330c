using MimScale.Models.Runtime;
using MimScale.Models.SwinV2;
using MimScale.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Training.Distributed;

/// <summary>The pieces of data parallelism that need no MPI: batch shares, stochastic depth per global sample,
/// launcher detection and the collective watchdog.</summary>
public class DataParallelTests
{
    [Fact]
    public void TheGlobalBatchIsSharedEvenlyOrRefused()
    {
        Assert.Equal(4, DataParallel.PerRankBatch(8, 2));
        Assert.Equal(8, DataParallel.PerRankBatch(8, 1));
        var e = Assert.Throws<ArgumentException>(() => DataParallel.PerRankBatch(10, 4));
        Assert.Equal("batch_size 10 (the global batch) does not divide over 4 ranks; use a multiple of 4 or another rank count", e.Message);
    }

    [Fact]
    public void EachRankDropsThePathsOneProcessDropsForItsSamples()
    {
        using var scope = NewDisposeScope();
        // One process, global batch 6, and the same batch over 3 ranks: rank r holds samples r, r+3 (the loader's interleave).
        var x = torch.arange(1, 7, dtype: ScalarType.Float32).view(6, 1, 1).expand(6, 4, 2).contiguous();   // (B, L, C)
        Tensor Drop(int rank, int world, Tensor input)
        {
            var dp = new DropPath(0.5, new Generator(11)) { Shard = (rank, world) };
            dp.train();
            var outs = new List<Tensor>();
            for (int call = 0; call < 3; call++) outs.Add(dp.forward(input));   // three steps of one generator stream
            return torch.stack(outs);
        }
        var whole = Drop(0, 1, x);                                              // (3, 6, 4, 2)
        for (int r = 0; r < 3; r++)
        {
            var mine = x.index_select(0, torch.tensor(new long[] { r, r + 3 }));
            Assert.True(Drop(r, 3, mine).allclose(whole.index_select(1, torch.tensor(new long[] { r, r + 3 })), rtol: 0, atol: 0), $"rank {r}");
        }
        // Each sample's branch is either dropped (0) or kept and scaled by 1/(1-p) = 2; over 18 sample-steps both occur.
        var doubled = x.Times(2).unsqueeze(0).expand_as(whole);
        Assert.True(whole.eq(0).logical_or(whole.eq(doubled)).all().item<bool>());
        long dropped = whole.select(3, 0).select(2, 0).eq(0).sum().item<long>();
        Assert.InRange(dropped, 1, 17);
    }

    [Fact]
    public void MpiIsUsedOnlyUnderALauncher()
    {
        Assert.False(Collectives.LaunchedByMpi(_ => null));
        Assert.True(Collectives.LaunchedByMpi(k => k == "PMI_SIZE" ? "2" : null));        // mpiexec.mpich (Hydra)
        Assert.True(Collectives.LaunchedByMpi(k => k == "PMI_RANK" ? "0" : null));        // srun --mpi=pmi2
        Assert.True(Collectives.LaunchedByMpi(k => k == "MPI_LOCALRANKID" ? "1" : null));
        Assert.Same(SingleProcess.Instance, Collectives.FromEnvironment());               // the test host is a plain process
    }

    [Fact]
    public void TheWatchdogReportsACollectiveThatWaitsTooLongAndNotOneThatReturns()
    {
        var fired = new List<string>();
        using (var quiet = new CollectiveWatchdog(TimeSpan.FromSeconds(0.4), fired.Add))
        {
            for (int i = 0; i < 5; i++) using (quiet.Enter("MPI_Allreduce of 4 floats")) Thread.Sleep(100);
            Thread.Sleep(600);   // outside any collective: no limit
        }
        Assert.Empty(fired);
        using var done = new ManualResetEventSlim();
        using var watchdog = new CollectiveWatchdog(TimeSpan.FromSeconds(0.4), m => { lock (fired) fired.Add(m); done.Set(); });
        using (watchdog.Enter("MPI_Allreduce of 2 doubles")) Assert.True(done.Wait(TimeSpan.FromSeconds(5)));
        Assert.Single(fired);
        Assert.Matches(@"^MPI_Allreduce of 2 doubles waited [\d.]+ s \(limit 0.4 s\) for the other ranks$", fired[0]);
    }
}
