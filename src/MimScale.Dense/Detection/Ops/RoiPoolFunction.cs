using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// Autograd wrapper of <see cref="RoiPoolKernel"/>: forward pools flat features [InputRows, C] into [Rows, C]; backward
/// returns the gradient to the features (none to the plan, as torchvision gives none to the RoIs).
/// </summary>
internal sealed class RoiPoolFunction : autograd.SingleTensorFunction<RoiPoolFunction>
{
    public override string Name => "MimScaleRoiAlign";

    /// <summary>vars: [Tensor flat, RoiPoolKernel plan].</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var plan = (RoiPoolKernel)vars[1];
        ctx.save_data("plan", plan);
        return plan.Forward((Tensor)vars[0]);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var plan = (RoiPoolKernel)ctx.get_data("plan");
        return new List<Tensor> { plan.Backward(gradOutput), null! };
    }

    /// <summary>Pools <paramref name="flat"/> with <paramref name="plan"/>, recording the backward when flat needs a gradient.</summary>
    public static Tensor Pool(Tensor flat, RoiPoolKernel plan) => apply(flat, plan);
}
