using MimScale.Models.Runtime;
using MimScale.Training.Schedules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MimScale.Training.Optim;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter), the update of torch.optim.AdamW: decoupled decay p *= 1 - lr*wd, then Adam with bias
/// correction. MimScale's own so its state is keyed by parameter NAME (checkpoints stay readable and resumable
/// across processes) and each group carries the lr scale of layer-wise decay.
/// <para>
/// Flat buffers: at its first update the optimiser moves each group's parameters, gradients and moments into one
/// contiguous buffer per group, and the parameters and their <c>.grad</c> become views of it (autograd then
/// accumulates into the views in place). An update is then a handful of kernels per group instead of per parameter,
/// and <see cref="Gradients"/> gives clipping the same few buffers: on the CPU-scale models, whose hundreds of small
/// tensors make every per-parameter launch count, this is the difference measured in bench/README.md. The
/// arithmetic is unchanged (same operations, same order per element). Parameters that had no gradient at the first
/// update (unused in the forward pass) stay outside the buffers and are skipped whenever their gradient is null,
/// as torch.optim does. Nothing may replace a flattened parameter's tensor afterwards (in-place copies, as
/// checkpoint loading does, are fine).
/// </para>
/// <para>
/// Fused kernel: the update itself is libtorch's fused AdamW (<see cref="FusedAdamWKernel"/>), one memory pass per
/// buffer instead of nine element-wise ops; SwinV2-T's update (28M parameters, with clipping) 66-93 -> 14-20 ms on 2
/// cores (bench/README.md). <c>fused: false</c> keeps the op-by-op arithmetic of torch.optim.AdamW's for-loop.
/// </para>
/// </summary>
public sealed class AdamW
{
    private readonly IReadOnlyList<ParameterGroup> groups;
    // Per-parameter state of parameters outside the flat buffers, and imported state waiting to be flattened.
    private readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> state = new();
    private FlatGroup?[]? flat;

    sealed record Member(string Name, Parameter Parameter, long Offset, long Numel, long[] Shape);

    /// <summary>One group's parameters, gradients and moments as 1-D buffers; members are views of them. Loose are the
    /// group's parameters left outside (no gradient at the first update).</summary>
    sealed record FlatGroup(Tensor Param, Tensor Grad, Tensor ExpAvg, Tensor ExpAvgSq, IReadOnlyList<Member> Members,
        IReadOnlyList<(string Name, Parameter Parameter)> Loose)
    {
        public Tensor Slice(Tensor buffer, Member m) => buffer.narrow(0, m.Offset, m.Numel).view(m.Shape);
    }

    private readonly bool flatten;
    private readonly bool fused;
    private FusedAdamWKernel? kernel;

    /// <param name="groups">The parameter groups with their rates and weight decay.</param>
    /// <param name="beta1">First-moment decay.</param>
    /// <param name="beta2">Second-moment decay.</param>
    /// <param name="eps">Added to the root of the second moment.</param>
    /// <param name="flatten">False keeps every parameter on the per-parameter path (for benchmarks and checks).</param>
    /// <param name="fused">True updates with libtorch's fused AdamW kernel (<see cref="FusedAdamWKernel"/>), false op by op
    /// as torch.optim.AdamW's default for-loop does (for benchmarks and checks).</param>
    public AdamW(IReadOnlyList<ParameterGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, bool flatten = true,
        bool fused = true)
    {
        this.groups = groups;
        Beta1 = beta1; Beta2 = beta2; Eps = eps;
        this.flatten = flatten;
        this.fused = fused;
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    /// <summary>Updates taken so far (Adam's t).</summary>
    public long StepCount { get; private set; }
    public IReadOnlyList<ParameterGroup> Groups => groups;
    /// <summary>True once the parameters live in per-group flat buffers (after the first update).</summary>
    public bool IsFlat => flat is not null;

    /// <summary>
    /// The update of iteration <paramref name="iteration"/>: each group trains at
    /// <c>schedule.Rate(iteration, group.LrScale)</c> (the one meaning of a group's scale, see <see cref="ILearningRateSchedule"/>).
    /// </summary>
    public void Step(ILearningRateSchedule schedule, long iteration)
    {
        // Every p.grad access and in-place op returns a new handle; without a scope each step would keep a reference
        // to all gradients alive (a model-sized leak per step).
        using var scope = NewDisposeScope();
        using var _ = torch.no_grad();
        if (flatten) flat ??= Flatten();
        StepCount++;
        double bc1 = 1 - Math.Pow(Beta1, StepCount), bc2 = 1 - Math.Pow(Beta2, StepCount);
        for (int gi = 0; gi < groups.Count; gi++)
        {
            var g = groups[gi];
            double lr = schedule.Rate(iteration, g.LrScale);
            if (flat?[gi] is { } f) Update(f.Param, f.Grad, f.ExpAvg, f.ExpAvgSq, lr, g.WeightDecay, bc1, bc2);
            foreach (var (name, p) in Loose(gi))
            {
                var grad = p.grad;
                if (grad is null) continue;
                if (!state.TryGetValue(name, out var s))
                    state[name] = s = (torch.zeros_like(p).DetachFromDisposeScope(), torch.zeros_like(p).DetachFromDisposeScope()); // outlive the step
                Update(p, grad, s.ExpAvg, s.ExpAvgSq, lr, g.WeightDecay, bc1, bc2);
            }
        }
    }

    void Update(Tensor p, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double weightDecay, double bc1, double bc2)
    {
        if (fused)
        {
            (kernel ??= new FusedAdamWKernel()).Apply(p, grad, expAvg, expAvgSq, StepCount, lr, Beta1, Beta2, weightDecay, Eps);
            return;
        }
        // Every Scalar lives in a using local: a temporary one can be freed mid-call (Models/Runtime/ScalarSafe.cs).
        if (weightDecay != 0) p.TimesInPlace(1 - lr * weightDecay);
        using var beta1 = Beta1.ToScalar();
        using var oneMinusBeta1 = (1 - Beta1).ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        using var stepSize = (-lr / bc1).ToScalar();
        expAvg.mul_(beta1).add_(grad, alpha: oneMinusBeta1);
        expAvgSq.mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
        using var denom = expAvgSq.sqrt().OverInPlace(Math.Sqrt(bc2)).PlusInPlace(Eps);
        p.addcdiv_(expAvg, denom, value: stepSize);
    }

    /// <summary>Parameters of group <paramref name="gi"/> that are not in its flat buffer.</summary>
    IReadOnlyList<(string Name, Parameter Parameter)> Loose(int gi) => flat?[gi]?.Loose ?? groups[gi].Parameters;

    /// <summary>Moves each group's parameters that have a gradient (one dtype and device per group) into flat buffers.</summary>
    FlatGroup?[] Flatten()
    {
        var result = new FlatGroup?[groups.Count];
        for (int gi = 0; gi < groups.Count; gi++)
        {
            var withGrad = groups[gi].Parameters.Where(p => p.Parameter.grad is not null).ToList();
            if (withGrad.Count == 0) continue;
            var first = withGrad[0].Parameter;
            if (withGrad.Any(p => p.Parameter.dtype != first.dtype || p.Parameter.device.ToString() != first.device.ToString()))
                continue; // mixed dtypes or devices: leave the group on the per-parameter path
            var members = new List<Member>();
            long offset = 0;
            foreach (var (name, p) in withGrad)
            {
                members.Add(new Member(name, p, offset, p.numel(), p.shape));
                offset += p.numel();
            }
            var f = new FlatGroup(
                torch.cat(withGrad.Select(p => p.Parameter.detach().reshape(-1)).ToList(), 0).DetachFromDisposeScope(),
                torch.cat(withGrad.Select(p => p.Parameter.grad!.reshape(-1)).ToList(), 0).DetachFromDisposeScope(),
                torch.zeros(offset, dtype: first.dtype, device: first.device).DetachFromDisposeScope(),
                torch.zeros(offset, dtype: first.dtype, device: first.device).DetachFromDisposeScope(),
                members,
                groups[gi].Parameters.Where(p => p.Parameter.grad is null).ToList());
            foreach (var m in members)
            {
                m.Parameter.set_(f.Slice(f.Param, m));
                var old = m.Parameter.grad;
                m.Parameter.grad = f.Slice(f.Grad, m);
                old?.Dispose();
                if (state.Remove(m.Name, out var s))
                {
                    f.Slice(f.ExpAvg, m).copy_(s.ExpAvg);
                    f.Slice(f.ExpAvgSq, m).copy_(s.ExpAvgSq);
                    s.ExpAvg.Dispose(); s.ExpAvgSq.Dispose();
                }
            }
            result[gi] = f;
        }
        return result;
    }

    /// <summary>
    /// The gradient tensors to clip or measure: the flat buffers plus any loose gradient. New handles of loose
    /// gradients belong to the caller's dispose scope; the flat buffers belong to the optimiser.
    /// </summary>
    public IReadOnlyList<Tensor> Gradients()
    {
        var list = new List<Tensor>();
        for (int gi = 0; gi < groups.Count; gi++)
        {
            if (flat?[gi] is { } f) list.Add(f.Grad);
            foreach (var (_, p) in Loose(gi))
                if (p.grad is { } grad) list.Add(grad);
        }
        return list;
    }

    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        using var _ = torch.no_grad();
        for (int gi = 0; gi < groups.Count; gi++)
        {
            if (flat?[gi] is { } f) f.Grad.zero_(); // the parameters' .grad stay views of it
            foreach (var (_, p) in Loose(gi))
                if (p.grad is not null) { p.grad.Dispose(); p.grad = null; }
        }
    }

    /// <summary>State as named tensors ("exp_avg/NAME", "exp_avg_sq/NAME") plus the step count, for checkpoints.
    /// Moments in flat buffers are returned as views in the caller's dispose scope.</summary>
    public (IReadOnlyDictionary<string, Tensor> Tensors, long Step) Export()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (name, s) in state) { d["exp_avg/" + name] = s.ExpAvg; d["exp_avg_sq/" + name] = s.ExpAvgSq; }
        if (flat is not null)
            foreach (var f in flat.OfType<FlatGroup>())
                foreach (var m in f.Members)
                {
                    d["exp_avg/" + m.Name] = f.Slice(f.ExpAvg, m);
                    d["exp_avg_sq/" + m.Name] = f.Slice(f.ExpAvgSq, m);
                }
        return (d, StepCount);
    }

    /// <summary>Restores <see cref="Export"/>ed state; every moment must belong to a known parameter of matching shape.</summary>
    public void Import(IReadOnlyDictionary<string, Tensor> tensors, long step)
    {
        var known = groups.SelectMany(g => g.Parameters).ToDictionary(p => p.Name, p => p.Parameter);
        var incoming = new Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)>();
        foreach (var (key, t) in tensors)
        {
            if (!key.StartsWith("exp_avg/", StringComparison.Ordinal)) continue;
            string name = key["exp_avg/".Length..];
            if (!known.TryGetValue(name, out var p)) throw new InvalidDataException($"optimizer state names unknown parameter '{name}'");
            if (!tensors.TryGetValue("exp_avg_sq/" + name, out var sq)) throw new InvalidDataException($"optimizer state lacks exp_avg_sq/{name}");
            if (!t.shape.SequenceEqual(p.shape)) throw new InvalidDataException($"optimizer state for '{name}' has shape [{string.Join(",", t.shape)}], parameter has [{string.Join(",", p.shape)}]");
            incoming[name] = (t, sq);
        }
        foreach (var d in state.Values) { d.ExpAvg.Dispose(); d.ExpAvgSq.Dispose(); }
        state.Clear();
        using var scope = NewDisposeScope();
        using var _ = torch.no_grad();
        var flatMembers = new Dictionary<string, (FlatGroup Group, Member Member)>();
        if (flat is not null)
            foreach (var f in flat.OfType<FlatGroup>())
            {
                f.ExpAvg.zero_(); f.ExpAvgSq.zero_();
                foreach (var m in f.Members) flatMembers[m.Name] = (f, m);
            }
        foreach (var (name, (avg, sq)) in incoming)
        {
            var p = known[name];
            if (flatMembers.TryGetValue(name, out var fm))
            {
                fm.Group.Slice(fm.Group.ExpAvg, fm.Member).copy_(avg);
                fm.Group.Slice(fm.Group.ExpAvgSq, fm.Member).copy_(sq);
            }
            else state[name] = (avg.to(p.device).clone().DetachFromDisposeScope(), sq.to(p.device).clone().DetachFromDisposeScope());
        }
        StepCount = step;
    }
}
