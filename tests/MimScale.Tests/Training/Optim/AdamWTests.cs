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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheFusedKernelGivesTheOpByOpUpdate(bool flatten)
    {
        // libtorch's fused kernel against torch.optim.AdamW's for-loop arithmetic (the official step's): same
        // parameters and moments after four clipped steps, to float32 rounding (the kernel's lerp for the first
        // moment rounds differently in the last bit).
        using var scope = NewDisposeScope();
        var fusedNet = new Net();
        var opNet = new Net();
        var fused = new AdamW(fusedNet.Groups, flatten: flatten);
        var op = new AdamW(opNet.Groups, flatten: flatten, fused: false);
        Train(fusedNet, fused, 0, 4);
        Train(opNet, op, 0, 4);
        foreach (var ((name, a), (_, b)) in opNet.Named.Zip(fusedNet.Named))
            AssertClose(a, b, name);
        var (fusedState, _) = fused.Export();
        foreach (var (key, t) in op.Export().Tensors) AssertClose(t, fusedState[key], key);
    }

    [Fact]
    public void OneFusedStepIsTheAdamWFormulaByHand()
    {
        // p = 1, g = 0.5, lr 0.1, weight decay 0.05, betas (0.9, 0.999), eps 1e-8, step 1:
        // m = 0.1 * 0.5 = 0.05, v = 0.001 * 0.25 = 2.5e-4; m_hat = 0.05 / 0.1 = 0.5, sqrt(v_hat) = sqrt(2.5e-4 / 0.001) = 0.5;
        // p = 1 * (1 - 0.1 * 0.05) - 0.1 * 0.5 / (0.5 + 1e-8) = 0.995 - 0.1 = 0.895 (to 2e-9).
        using var scope = NewDisposeScope();
        var p = new Parameter(torch.tensor(new[] { 1f, -2f }));
        var optimizer = new AdamW(new[] { new ParameterGroup("all", 0.05, 1.0, new[] { ("p", p) }) });
        p.grad = torch.tensor(new[] { 0.5f, 0f });
        optimizer.Step(StepSchedule.Constant(0.1), 0);
        Assert.True(optimizer.IsFlat);
        var after = p.detach().data<float>().ToArray();
        Assert.Equal(0.895, after[0], 6);
        // A zero gradient moves the parameter by its decay alone: -2 * (1 - 0.005) (m = v = 0, 0 / (0 + eps) = 0).
        Assert.Equal(-1.99, after[1], 6);
        var (state, steps) = optimizer.Export();
        Assert.Equal(1, steps);
        Assert.Equal(0.05, state["exp_avg/p"].data<float>()[0], 7);
        Assert.Equal(2.5e-4, state["exp_avg_sq/p"].data<float>()[0], 9);
    }

    [Fact]
    public void OptimisersOnTwoThreadsAtOnceUnderForcedCollectionsGiveTheOneThreadResult()
    {
        // A study runs two jobs in one process: each builds its own optimiser (compiling the fused kernel's TorchScript)
        // and steps it while the other does, and collections land in the middle. The result must be the one-thread one.
        using var scope = NewDisposeScope();
        var reference = new Net();
        Train(reference, new AdamW(reference.Groups), 0, 6);
        var nets = new[] { new Net(), new Net() };
        using (new MimScale.Tests.Models.Runtime.ForcedCollections())
        {
            var threads = nets.Select(net => new Thread(() =>
            {
                using var threadScope = NewDisposeScope();
                for (int round = 0; round < 3; round++)                    // a new optimiser (a new compile) each time
                {
                    var optimizer = new AdamW(net.Groups);
                    if (round == 0) Train(net, optimizer, 0, 6);
                    else
                    {
                        var scratch = new Net();
                        Train(scratch, new AdamW(scratch.Groups), 0, 2);
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
        }
        foreach (var net in nets)
            foreach (var ((name, a), (_, b)) in reference.Named.Zip(net.Named))
                Assert.True(a.eq(b).all().item<bool>(), $"{name} differs from the one-thread run");
    }
}
