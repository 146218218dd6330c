using MimScale.Training.Optim;
using MimScale.Training.Schedules;
using TorchSharp.Modules;

namespace MimScale.Training.Finetuning;

/// <summary>
/// Per-group learning rates of layer-wise decay over time (SPEC §5.2): group g trains at
/// <c>schedule.ForIteration(k, base x scale_g)</c>, with warmup_lr and min_lr the same absolute values for all groups
/// (so it is not <c>schedule(k) x scale_g</c>). <see cref="Rates"/> gives the optimiser each group's absolute rate.
/// </summary>
public sealed class LayerwiseLr
{
    private readonly IReadOnlyList<ParameterGroup> groups;
    private readonly double[] layerScales;

    /// <param name="layerGroups">Groups from <see cref="ParameterGroups.Finetuning"/>; their LrScale is the layer scale.</param>
    public LayerwiseLr(IReadOnlyList<ParameterGroup> layerGroups, CosineSchedule schedule)
    {
        groups = layerGroups;
        layerScales = layerGroups.Select(g => g.LrScale).ToArray();
        Schedule = schedule;
    }

    /// <summary>The groups to give <see cref="AdamW"/>.</summary>
    public IReadOnlyList<ParameterGroup> Groups => groups;
    public CosineSchedule Schedule { get; }

    /// <summary>The layer scale of group <paramref name="i"/> (layer_decay^(num_layers + 1 - id)).</summary>
    public double LayerScale(int i) => layerScales[i];

    /// <summary>Absolute rate of group <paramref name="i"/> at iteration <paramref name="k"/>.</summary>
    public double GroupLr(int i, long k) => Schedule.ForIteration(k, Schedule.BaseLr * layerScales[i]);

    /// <summary>Every group's absolute rate at iteration <paramref name="k"/>, for <see cref="Steps.TrainStep.Run(IReadOnlyList{Func{TorchSharp.torch.Tensor}}, Func{int, double})"/>.</summary>
    public Func<int, double> Rates(long k) => i => GroupLr(i, k);

    /// <summary>Rate of the head's group (scale 1) at iteration <paramref name="k"/>, the number to log.</summary>
    public double HeadLr(long k) => Schedule.ForIteration(k);

    /// <summary>All parameters, for counting.</summary>
    public int ParameterCount => groups.Sum(g => g.Parameters.Count);

    internal IEnumerable<Parameter> Parameters => groups.SelectMany(g => g.Parameters).Select(p => p.Parameter);
}
