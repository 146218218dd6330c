using MimScale.Models.Runtime;
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
        return TotalNorm(parameters.Select(p => p.grad).OfType<Tensor>().ToList());
    }

    /// <summary>Total L2 norm over the given gradient tensors (e.g. <see cref="AdamW.Gradients"/>).</summary>
    public static double TotalNorm(IReadOnlyList<Tensor> gradients)
    {
        if (gradients.Count == 0) return 0;
        using var scope = NewDisposeScope();
        var norm = gradients.Count == 1 ? gradients[0].norm() : torch.stack(gradients.Select(g => g.norm()).ToList()).norm();
        return norm.to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>Clips in place to <paramref name="maxNorm"/> (if > 0) and returns the norm before clipping.</summary>
    public static double Clip(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        return Clip(parameters.Select(p => p.grad).OfType<Tensor>().ToList(), maxNorm);
    }

    /// <summary>Clips the given gradient tensors in place to <paramref name="maxNorm"/> (if > 0); returns the norm before.</summary>
    public static double Clip(IReadOnlyList<Tensor> gradients, double maxNorm)
    {
        double total = TotalNorm(gradients);
        if (maxNorm > 0 && double.IsFinite(total))
        {
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1)
            {
                using var scope = NewDisposeScope();
                using var _ = torch.no_grad();
                foreach (var g in gradients) g.TimesInPlace(coef);
            }
        }
        return total;
    }
}
