using MimScale.Data.Random;

namespace MimScale.Tests.Data.Random;

/// <summary>Streams pinned against an independent Python implementation (Data/reference_values.py).</summary>
public class DataRngTests
{
    [Fact]
    public void Xoshiro256StarStar_SeededBySplitMix64_MatchesReference()
    {
        var rng = new DataRng(0);
        Assert.Equal(11091344671253066420UL, rng.NextUInt64());
        Assert.Equal(13793997310169335082UL, rng.NextUInt64());
        Assert.Equal(1900383378846508768UL, rng.NextUInt64());
    }

    [Fact]
    public void KeyedStreams_MatchReference()
    {
        var order = DataRng.For(0, RandomStream.Order, 0);
        Assert.Equal(11473372088726404047UL, order.NextUInt64());
        var mask = DataRng.For(7, RandomStream.Mask, 2, 5);
        Assert.Equal(new[] { 7, 5, 0, 1, 4, 2, 3, 6, 8, 9 }, mask.Permutation(10));
    }

    [Fact]
    public void NextInt_IsUniformEnough()
    {
        var rng = new DataRng(42);
        var counts = new int[6];
        for (int i = 0; i < 60000; i++) counts[rng.NextInt(6)]++;
        // 10000 expected per bin, sd ~91: 5 sd band.
        Assert.All(counts, c => Assert.InRange(c, 9545, 10455));
    }

    [Fact]
    public void Beta_HasTheRightMean()
    {
        var rng = new DataRng(3);
        double sum = 0;
        for (int i = 0; i < 20000; i++) sum += rng.Beta(0.8, 0.8);
        Assert.InRange(sum / 20000, 0.49, 0.51); // Beta(a, a) has mean 1/2
    }
}
