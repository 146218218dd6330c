using MimScale.Models.SwinV2;
using MimScale.Models.Zoo;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// Forward multiply-accumulates of UPerNet for one image (for model-FLOPs utilisation): the backbone by
/// <see cref="ModelCost.Flops"/> at the input size (the classifier's own convention; no head), plus the convolutions of
/// the decode head and the auxiliary head at the map sizes ceil(side / stride). Pooling, BN, ReLU and the bilinear
/// resizes are not counted.
/// </summary>
public static class UPerNetCost
{
    /// <summary>Backbone + decode head (+ auxiliary head when <paramref name="withAux"/>, as in training) MACs.</summary>
    public static double Macs(SwinV2Options backbone, UPerNetOptions head, int height, int width, bool withAux)
    {
        var b = backbone with { NumClasses = 0, ImgSize = new[] { height, width } };
        return ModelCost.Flops(b) + HeadMacs(backbone, head, height, width, withAux);
    }

    /// <summary>The heads' convolution MACs alone.</summary>
    public static double HeadMacs(SwinV2Options backbone, UPerNetOptions head, int height, int width, bool withAux)
    {
        int levels = backbone.NumLayers;
        double ch = head.Channels, k = head.NumClasses;
        var area = new double[levels];
        var inCh = new double[levels];
        for (int i = 0; i < levels; i++)
        {
            int stride = backbone.PatchSize << i;
            area[i] = (double)((height + stride - 1) / stride) * ((width + stride - 1) / stride);
            inCh[i] = backbone.EmbedDim << i;
        }
        double top = inCh[levels - 1];
        double macs = head.Scales.Sum(s => (double)s * s) * top * ch                   // PPM 1x1 convs on s x s bins
                      + area[levels - 1] * (top + head.Scales.Length * ch) * ch * 9;    // bottleneck 3x3
        for (int i = 0; i < levels - 1; i++)
            macs += area[i] * inCh[i] * ch + area[i] * ch * ch * 9;                   // lateral 1x1 + fpn 3x3
        macs += area[0] * levels * ch * ch * 9 + area[0] * ch * k;                     // fpn_bottleneck 3x3 + conv_seg
        if (withAux && head.AuxChannels > 0)
            macs += area[head.AuxIndex] * (inCh[head.AuxIndex] * head.AuxChannels * 9 + head.AuxChannels * k);
        return macs;
    }
}
