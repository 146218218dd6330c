using MimScale.Dense.Detection.Rpn;
using TorchSharp;

namespace MimScale.Tests.Dense.Detection.Rpn;

public class RandomSamplerTests
{
    [Fact]
    public void PositivesAreCappedAtTheFractionAndNegativesFillTheRest()
    {
        // 6 positives, 10 negatives, 2 ignored; num 8 at 0.25 -> 2 positives, 6 negatives.
        var assigned = new[] { 1, 1, 2, 2, 1, 1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        var (pos, neg) = new RandomSampler(8, 0.25).Sample(assigned, new torch.Generator(3));
        Assert.Equal(2, pos.Length);
        Assert.Equal(6, neg.Length);
        Assert.All(pos, p => Assert.True(assigned[p] > 0));
        Assert.All(neg, n => Assert.Equal(0, assigned[n]));
        Assert.Equal(pos.Length, pos.Distinct().Count());
        // Too few positives: all of them (ascending), and more negatives.
        var few = new[] { 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        var (p2, n2) = new RandomSampler(8, 0.5).Sample(few, new torch.Generator(3));
        Assert.Equal(new long[] { 1 }, p2);
        Assert.Equal(7, n2.Length);
        // The same generator state gives the same draw.
        var (again, againNeg) = new RandomSampler(8, 0.25).Sample(assigned, new torch.Generator(3));
        Assert.Equal(pos, again);
        Assert.Equal(neg, againNeg);
    }
}
