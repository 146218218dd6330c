using MimScale.Training.Distributed;

namespace MimScale.Tests.Training.Distributed;

public class CollectiveCancellationTests
{
    /// <summary>Calls <see cref="CollectiveCancellation.ThrowIfCancelledOnAnyRank"/> on two thread ranks with the given tokens.</summary>
    private static Exception?[] Step(params CancellationToken[] tokens)
    {
        var ranks = new ThreadRanks(tokens.Length);
        var errors = new Exception?[tokens.Length];
        var threads = Enumerable.Range(0, tokens.Length).Select(r => new Thread(() =>
        {
            try { ranks.Ranks[r].ThrowIfCancelledOnAnyRank(tokens[r]); }
            catch (Exception e) { errors[r] = e; }
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));
        return errors;
    }

    [Fact]
    public void OneRanksCancellationStopsEveryRankAtTheSameStep()
    {
        Assert.Equal([null, null], Step(CancellationToken.None, CancellationToken.None));

        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var errors = Step(stop.Token, CancellationToken.None);
        Assert.Equal(stop.Token, Assert.IsType<OperationCanceledException>(errors[0]).CancellationToken);   // rank 0: its own token
        Assert.Equal("another rank of the 2-rank job stopped; rank 1 stops at the same step", Assert.IsType<OperationCanceledException>(errors[1]).Message);

        Assert.Throws<OperationCanceledException>(() => SingleProcess.Instance.ThrowIfCancelledOnAnyRank(stop.Token));
        SingleProcess.Instance.ThrowIfCancelledOnAnyRank(CancellationToken.None);
    }
}
