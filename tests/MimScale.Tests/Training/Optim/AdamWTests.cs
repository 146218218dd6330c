using MimScale.Training.Optim;
using MimScale.Training.Schedules;
using MimScale.Training.Steps;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AdamW = MimScale.Training.Optim.AdamW;

namespace MimScale.Tests.Training.Optim;

/// <summary>
/// AdamW on flat per-group buffers must be the per-parameter update, exactly: same parameters and moments after
/// several clipped steps, untouched unused parameters, and the same result when resumed from exported state.
/// </summary>
public class AdamWTests
{
    /// <summary>A 2-layer MLP (seeded) plus one parameter the loss never uses.</summary>
    sealed class Net
    {
        public readonly Parameter W1, B1, W2, Unused;

        public Net()
        {
            var g = new Generator(7);
            W1 = new Parameter(torch.randn(new long[] { 6, 3 }, generator: g));
            B1 = new Parameter(torch.randn(new long[] { 6 }, generator: g));
            W2 = new Parameter(torch.randn(new long[] { 2, 6 }, generator: g));
            Unused = new Parameter(torch.randn(new long[] { 4 }, generator: g));
        }

        public IReadOnlyList<(string Name, Parameter Parameter)> Named =>
            new[] { ("w1", W1), ("b1", B1), ("w2", W2), ("unused", Unused) };

        public IReadOnlyList<ParameterGroup> Groups => new[]
        {
            new ParameterGroup("decay", 0.05, 1.0, new[] { ("w1", W1), ("w2", W2) }),
            new ParameterGroup("no_decay", 0.0, 0.5, new[] { ("b1", B1), ("unused", Unused) }),
        };

        public Tensor Loss(int k)
        {
            var x = torch.randn(new long[] { 5, 3 }, generator: new Generator((ulong)(100 + k)));
            var h = nn.functional.relu(nn.functional.linear(x, W1, B1));
            return nn.functional.linear(h, W2).pow(2).mean();
        }
    }

    /// <summary>Runs <paramref name="steps"/> clipped steps (two micro-batches each) starting at step index <paramref name="from"/>.</summary>
    static void Train(Net net, AdamW optimizer, int from, int steps)
    {
        var step = new TrainStep(optimizer, clipGrad: 0.5); // small enough that every step clips
        for (int k = from; k < from + steps; k++)
        {
            int kk = k;
            var outcome = step.Run(new Func<Tensor>[] { () => net.Loss(2 * kk), () => net.Loss(2 * kk + 1) }, StepSchedule.Constant(1e-2 * (k + 1)), k);
            Assert.True(outcome.Applied);
            Assert.True(outcome.GradNorm > 0.5);
        }
    }

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        double diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff <= 1e-6, $"{what}: max difference {diff}");
    }

    [Fact]
    public void FlatBuffersGiveThePerParameterUpdate()
    {
        using var scope = NewDisposeScope();
        var flatNet = new Net();
        var plainNet = new Net();
        var unusedBefore = plainNet.Unused.detach().clone();
        var flat = new AdamW(flatNet.Groups);
        var plain = new AdamW(plainNet.Groups, flatten: false);
        Train(flatNet, flat, 0, 4);
        Train(plainNet, plain, 0, 4);

        Assert.True(flat.IsFlat);
        Assert.False(plain.IsFlat);
        foreach (var ((name, a), (_, b)) in flatNet.Named.Zip(plainNet.Named))
            AssertClose(b, a, name);
        // The unused parameter has no gradient: neither path decays or moves it, and it has no moments.
        AssertClose(unusedBefore, flatNet.Unused, "unused (flat)");
        var (flatState, flatSteps) = flat.Export();
        var (plainState, plainSteps) = plain.Export();
        Assert.Equal(4, flatSteps);
        Assert.Equal(plainSteps, flatSteps);
        Assert.Equal(plainState.Keys.OrderBy(k => k), flatState.Keys.OrderBy(k => k));
        Assert.DoesNotContain("exp_avg/unused", flatState.Keys);
        foreach (var (key, t) in plainState) AssertClose(t, flatState[key], key);
        // Gradients of flattened parameters are views of the flat buffer: zeroing it zeroes them.
        flat.ZeroGrad();
        Assert.Equal(0.0, flatNet.W1.grad!.abs().sum().item<float>());
        Assert.Equal(0.0, GradientClipping.TotalNorm(flat.Gradients()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ResumingFromExportedStateContinuesTheSameRun(bool importAfterFirstStep)
    {
        using var scope = NewDisposeScope();
        var straight = new Net();
        Train(straight, new AdamW(straight.Groups), 0, 5);

        var first = new Net();
        var firstOpt = new AdamW(first.Groups);
        Train(first, firstOpt, 0, 3);
        var (state, steps) = firstOpt.Export();
        var saved = state.ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var resumed = new Net();
        var resumedOpt = new AdamW(resumed.Groups);
        if (importAfterFirstStep)
        {
            // An optimiser that has already flattened (one throw-away step) takes the state into its buffers.
            Train(resumed, resumedOpt, 0, 1);
            Assert.True(resumedOpt.IsFlat);
        }
        using (torch.no_grad())
            foreach (var ((_, to), (_, from)) in resumed.Named.Zip(first.Named)) to.copy_(from);
        resumedOpt.Import(saved, steps);
        Train(resumed, resumedOpt, 3, 2);

        foreach (var ((name, a), (_, b)) in straight.Named.Zip(resumed.Named))
            AssertClose(a, b, name);
    }
}
