using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MimScale.Training.Optim;

/// <summary>Global L2 gradient norm and clipping as torch.nn.utils.clip_grad_norm_ (scale by max/(norm + 1e-6)).</summary>
public static class GradientClipping
{
    /// <summary>Total L2 norm over all gradients (double; NaN/inf if any gradient is not finite).</summary>
    public static double TotalNorm(IEnumerable<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        var norms = parameters.Where(p => p.grad is not null).Select(p => p.grad!.norm()).ToArray();
        if (norms.Length == 0) return 0;
        return torch.stack(norms).norm().to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>Clips in place to <paramref name="maxNorm"/> (if > 0) and returns the norm before clipping.</summary>
    public static double Clip(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        double total = TotalNorm(parameters);
        if (maxNorm > 0 && double.IsFinite(total))
        {
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1)
            {
                using var scope = NewDisposeScope();
                using var _ = torch.no_grad();
                foreach (var p in parameters) p.grad?.mul_(coef);
            }
        }
        return total;
    }
}
