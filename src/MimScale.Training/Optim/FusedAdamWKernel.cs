using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Optim;

/// <summary>
/// libtorch's fused AdamW update (<c>aten::_fused_adamw_</c>, the kernel behind <c>torch.optim.AdamW(fused=True)</c>):
/// one pass per tensor that reads the parameter, gradient and both moments and writes the parameter and moments,
/// 7 memory accesses per element where the op-by-op update (decay, two moment updates, sqrt, divide, add, addcdiv)
/// makes ~22. It is the same AdamW (decoupled decay p *= 1 - lr*wd, bias-corrected moments, eps added to the
/// corrected root); the first moment is updated as <c>lerp(m, g, 1 - beta1)</c>, which rounds differently from
/// <c>m*beta1 + (1 - beta1)*g</c> in the last bit. TorchSharp has no binding for the op, so it is called through a
/// one-line TorchScript function, compiled once per optimiser. CPU, CUDA and MPS all have the kernel. Only tensors cross
/// into TorchScript (the hyper-parameters as one float64 tensor): TorchSharp's invoke turns a number argument into a
/// temporary Scalar that a collection could free mid-call (Models/Runtime/ScalarSafe.cs).
/// </summary>
internal sealed class FusedAdamWKernel
{
    private const string Source = @"
def adamw(params: List[Tensor], grads: List[Tensor], exp_avgs: List[Tensor], exp_avg_sqs: List[Tensor], steps: List[Tensor],
          hyper: Tensor):
    torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, [], steps, lr=float(hyper[0]), beta1=float(hyper[1]),
                        beta2=float(hyper[2]), weight_decay=float(hyper[3]), eps=float(hyper[4]), amsgrad=False, maximize=False)
";

    private readonly jit.CompilationUnit unit = jit.compile(Source);

    /// <summary>
    /// Updates <paramref name="param"/> and its moments in place at Adam step <paramref name="step"/> (1-based, the count
    /// including this update). The four tensors share one dtype and device; call under <c>no_grad</c>.
    /// </summary>
    public void Apply(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, long step, double lr, double beta1, double beta2,
        double weightDecay, double eps)
    {
        using var scope = NewDisposeScope();
        // The kernel reads the step from a float tensor on the parameter's device (exact up to 2^24 steps).
        var stepTensor = torch.tensor((float)step, device: param.device);
        var hyper = torch.tensor(new[] { lr, beta1, beta2, weightDecay, eps }, dtype: ScalarType.Float64);
        // The lists are built here, not in the script: with list literals around tensor arguments the compiled function
        // left the parameter unchanged (AdamWTests caught it).
        unit.invoke("adamw", new[] { param }, new[] { grad }, new[] { expAvg }, new[] { expAvgSq }, new[] { stepTensor }, hyper);
    }
}
