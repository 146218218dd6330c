using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MimScale.Training.Optim;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter), the update of torch.optim.AdamW: decoupled decay p *= 1 - lr*wd, then Adam with bias
/// correction. MimScale's own so its state is keyed by parameter NAME (checkpoints stay readable and resumable
/// across processes) and each group carries the lr scale of layer-wise decay.
/// </summary>
public sealed class AdamW
{
    private readonly IReadOnlyList<ParameterGroup> groups;
    private readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> state = new();

    public AdamW(IReadOnlyList<ParameterGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        this.groups = groups;
        Beta1 = beta1; Beta2 = beta2; Eps = eps;
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    /// <summary>Updates taken so far (Adam's t).</summary>
    public long StepCount { get; private set; }
    public IReadOnlyList<ParameterGroup> Groups => groups;

    /// <summary>One update at base learning rate <paramref name="lr"/> (each group uses lr * its scale).</summary>
    public void Step(double lr) => Step(i => lr * groups[i].LrScale);

    /// <summary>One update where group <c>i</c> trains at the absolute rate <paramref name="groupLr"/>(i)
    /// (layer-wise decay with unscaled warm-up/min rates, SPEC §5.2).</summary>
    public void Step(Func<int, double> groupLr)
    {
        // Every p.grad access and in-place op returns a new handle; without a scope each step would keep a reference
        // to all gradients alive (a model-sized leak per step).
        using var scope = NewDisposeScope();
        using var _ = torch.no_grad();
        StepCount++;
        double bc1 = 1 - Math.Pow(Beta1, StepCount), bc2 = 1 - Math.Pow(Beta2, StepCount);
        for (int gi = 0; gi < groups.Count; gi++)
        {
            var g = groups[gi];
            double lr = groupLr(gi);
            foreach (var (name, p) in g.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                if (!state.TryGetValue(name, out var s))
                    state[name] = s = (torch.zeros_like(p).DetachFromDisposeScope(), torch.zeros_like(p).DetachFromDisposeScope()); // outlive the step
                if (g.WeightDecay != 0) p.mul_(1 - lr * g.WeightDecay);
                s.ExpAvg.mul_(Beta1).add_(grad, alpha: 1 - Beta1);
                s.ExpAvgSq.mul_(Beta2).addcmul_(grad, grad, value: 1 - Beta2);
                using var denom = s.ExpAvgSq.sqrt().div_(Math.Sqrt(bc2)).add_(Eps);
                p.addcdiv_(s.ExpAvg, denom, value: -lr / bc1);
            }
        }
    }

    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var g in groups)
            foreach (var (_, p) in g.Parameters)
                if (p.grad is not null) { p.grad.Dispose(); p.grad = null; }
    }

    /// <summary>State as named tensors ("exp_avg/NAME", "exp_avg_sq/NAME") plus the step count, for checkpoints.</summary>
    public (IReadOnlyDictionary<string, Tensor> Tensors, long Step) Export()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (name, s) in state) { d["exp_avg/" + name] = s.ExpAvg; d["exp_avg_sq/" + name] = s.ExpAvgSq; }
        return (d, StepCount);
    }

    /// <summary>Restores <see cref="Export"/>ed state; every moment must belong to a known parameter of matching shape.</summary>
    public void Import(IReadOnlyDictionary<string, Tensor> tensors, long step)
    {
        var known = groups.SelectMany(g => g.Parameters).ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var d in state.Values) { d.ExpAvg.Dispose(); d.ExpAvgSq.Dispose(); }
        state.Clear();
        foreach (var (key, t) in tensors)
        {
            if (!key.StartsWith("exp_avg/", StringComparison.Ordinal)) continue;
            string name = key["exp_avg/".Length..];
            if (!known.TryGetValue(name, out var p)) throw new InvalidDataException($"optimizer state names unknown parameter '{name}'");
            if (!tensors.TryGetValue("exp_avg_sq/" + name, out var sq)) throw new InvalidDataException($"optimizer state lacks exp_avg_sq/{name}");
            if (!t.shape.SequenceEqual(p.shape)) throw new InvalidDataException($"optimizer state for '{name}' has shape [{string.Join(",", t.shape)}], parameter has [{string.Join(",", p.shape)}]");
            state[name] = (t.to(p.device).clone().DetachFromDisposeScope(), sq.to(p.device).clone().DetachFromDisposeScope());
        }
        StepCount = step;
    }
}
