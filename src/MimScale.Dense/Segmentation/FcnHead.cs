using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// mmseg's <c>FCNHead</c> (mmseg/models/decode_heads/fcn_head.py) as UPerNet's auxiliary head
/// (configs/_base_/models/upernet_swin.py: in_index 2, channels 256, num_convs 1, concat_input False, dropout 0.1,
/// loss weight 0.4): 3x3 ConvModules then Dropout2d and a 1x1 <c>conv_seg</c>. Keys <c>convs.{i}.conv.weight</c>,
/// <c>convs.{i}.bn.*</c>, <c>conv_seg.*</c>. Used in training only (mmseg drops it at test).
/// </summary>
public sealed class FcnHead : Module<Tensor, Tensor>
{
    private readonly Sequential convs;
    private readonly Conv2d conv_seg;
    private readonly ChannelDropout dropout;

    public FcnHead(int inChannels, int channels, int numClasses, int numConvs, double dropoutRatio, Generator? generator)
        : base(nameof(FcnHead))
    {
        if (numConvs < 1) throw new ArgumentException($"FCNHead needs at least one conv, got {numConvs}");
        var list = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i < numConvs; i++) list.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), new ConvModule(i == 0 ? inChannels : channels, channels, 3, generator)));
        convs = Sequential(list);
        conv_seg = Conv2d(channels, numClasses, 1);
        dropout = new ChannelDropout(dropoutRatio, generator);
        RegisterComponents();
        ConvModule.NormalInit(conv_seg.weight!, 0.01, generator);
        using (torch.no_grad()) conv_seg.bias!.zero_();
    }

    /// <param name="x">(B, in, H, W): the backbone map it reads (stage 2).</param>
    /// <returns>(B, classes, H, W).</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return conv_seg.forward(dropout.Apply(convs.forward(x), training)).MoveToOuterDisposeScope();
    }
}
