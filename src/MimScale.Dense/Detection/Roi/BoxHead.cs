using MimScale.Dense.Detection.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Detection.Roi;

/// <summary>
/// mmdet's <c>Shared2FCBBoxHead</c> (mmdet/models/roi_heads/bbox_heads/convfc_bbox_head.py): flatten the C x 7 x 7 RoI
/// features, <c>shared_fcs</c> = two Linear + ReLU (fc_out_channels 1024), then <c>fc_cls</c> to num_classes + 1
/// logits (softmax, the last is background) and <c>fc_reg</c> to 4·num_classes class-specific deltas
/// (reg_class_agnostic False). Init: Xavier-uniform shared FCs, N(0, 0.01) fc_cls, N(0, 0.001) fc_reg, biases 0.
/// </summary>
public sealed class BoxHead : Module<Tensor, (Tensor Cls, Tensor Reg)>
{
    private readonly ModuleList<Linear> shared_fcs;
    private readonly Linear fc_cls;
    private readonly Linear fc_reg;

    public BoxHead(int inChannels, int roiSize, int fcChannels, int numClasses, Generator? generator = null) : base(nameof(BoxHead))
    {
        shared_fcs = new ModuleList<Linear>(Linear((long)inChannels * roiSize * roiSize, fcChannels), Linear(fcChannels, fcChannels));
        fc_cls = Linear(fcChannels, numClasses + 1);
        fc_reg = Linear(fcChannels, 4L * numClasses);
        RegisterComponents();
        foreach (var fc in shared_fcs) { DetectionInit.XavierUniform(fc.weight!, generator); DetectionInit.Zero(fc.bias); }
        DetectionInit.Normal(fc_cls.weight!, 0.01, generator); DetectionInit.Zero(fc_cls.bias);
        DetectionInit.Normal(fc_reg.weight!, 0.001, generator); DetectionInit.Zero(fc_reg.bias);
    }

    /// <param name="roiFeats">(K, C, 7, 7).</param>
    /// <returns>Class logits (K, num_classes + 1) and deltas (K, 4·num_classes).</returns>
    public override (Tensor Cls, Tensor Reg) forward(Tensor roiFeats)
    {
        using var scope = NewDisposeScope();
        var x = roiFeats.flatten(1);
        foreach (var fc in shared_fcs) x = functional.relu(fc.forward(x));
        return (fc_cls.forward(x).MoveToOuterDisposeScope(), fc_reg.forward(x).MoveToOuterDisposeScope());
    }
}
