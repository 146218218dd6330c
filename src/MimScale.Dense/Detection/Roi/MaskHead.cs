using MimScale.Dense.Detection.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Detection.Roi;

/// <summary>
/// mmdet's <c>FCNMaskHead</c> (mmdet/models/roi_heads/mask_heads/fcn_mask_head.py): <c>convs</c> = num_convs (4) x
/// (3x3 conv + ReLU, conv_out_channels 256), <c>upsample</c> = 2x2 stride-2 deconvolution + ReLU (14 → 28), and
/// <c>conv_logits</c> 1x1 to one mask logit map per class (class-specific, sigmoid). Init: Kaiming-normal fan_out for
/// upsample and conv_logits (init_weights), the convs as mmcv's ConvModule initialises a ReLU conv (Kaiming fan_out).
/// </summary>
public sealed class MaskHead : Module<Tensor, Tensor>
{
    private readonly ModuleList<ConvModule> convs;
    private readonly ConvTranspose2d upsample;
    private readonly Conv2d conv_logits;

    public MaskHead(int inChannels, int numConvs, int channels, int numClasses, Generator? generator = null) : base(nameof(MaskHead))
    {
        convs = new ModuleList<ConvModule>();
        for (int i = 0; i < numConvs; i++) convs.Add(new ConvModule(i == 0 ? inChannels : channels, channels, 3, relu: true));
        long last = numConvs > 0 ? channels : inChannels;
        upsample = ConvTranspose2d(last, channels, 2, stride: 2);
        conv_logits = Conv2d(channels, numClasses, 1);
        RegisterComponents();
        foreach (var c in convs) { DetectionInit.KaimingNormalFanOut(c.Conv.weight!, generator); DetectionInit.Zero(c.Conv.bias); }
        DetectionInit.KaimingNormalFanOut(upsample.weight!, generator); DetectionInit.Zero(upsample.bias);
        DetectionInit.KaimingNormalFanOut(conv_logits.weight!, generator); DetectionInit.Zero(conv_logits.bias);
    }

    /// <param name="roiFeats">(K, C, 14, 14).</param>
    /// <returns>Mask logits (K, num_classes, 28, 28).</returns>
    public override Tensor forward(Tensor roiFeats)
    {
        using var scope = NewDisposeScope();
        var x = roiFeats;
        foreach (var c in convs) x = c.forward(x);
        x = functional.relu(upsample.forward(x));
        return conv_logits.forward(x).MoveToOuterDisposeScope();
    }
}
