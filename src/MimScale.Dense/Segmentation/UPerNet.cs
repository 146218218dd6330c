using MimScale.Dense.Backbone;
using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Segmentation;

/// <summary>The head's shape: what configs/_base_/models/upernet_swin.py sets (channels 512 / aux 256 in the paper).</summary>
/// <param name="NumClasses">Output classes.</param>
/// <param name="Channels">UPerHead width.</param>
/// <param name="AuxChannels">FCN auxiliary head width; 0 = no auxiliary head.</param>
/// <param name="PoolScales">PPM bin sizes; null = (1, 2, 3, 6).</param>
/// <param name="DropoutRatio">Dropout2d before each classifier.</param>
/// <param name="AuxIndex">Backbone map the auxiliary head reads (2: stride 16 for patch 4).</param>
/// <param name="AuxWeight">Weight of the auxiliary head's loss.</param>
/// <param name="AvgNonIgnore">Average the loss over non-ignored pixels only (mmseg avg_non_ignore).</param>
public sealed record UPerNetOptions(int NumClasses, int Channels = 512, int AuxChannels = 256, int[]? PoolScales = null, double DropoutRatio = 0.1,
    int AuxIndex = 2, double AuxWeight = 0.4, bool AvgNonIgnore = false)
{
    /// <summary>PPM bins (1, 2, 3, 6) unless given.</summary>
    public int[] Scales => PoolScales ?? new[] { 1, 2, 3, 6 };
}

/// <summary>
/// mmseg's <c>EncoderDecoder</c> with a SwinV2 backbone, a <see cref="UPerHead"/> and an <see cref="FcnHead"/>
/// auxiliary head (mmseg/models/segmentors/encoder_decoder.py). Keys <c>backbone.*</c>, <c>decode_head.*</c>,
/// <c>auxiliary_head.*</c> as mmseg names them. <see cref="Loss"/> is mmseg's <c>loss</c> (decode CE + aux weight x
/// aux CE); <see cref="EncodeDecode"/> is its <c>encode_decode</c> (logits resized to the input size).
/// </summary>
public sealed class UPerNet : Module<Tensor, Tensor>
{
    private readonly DenseBackbone backbone;
    private readonly UPerHead decode_head;
    private readonly FcnHead? auxiliary_head;

    /// <param name="backbone">The Swin backbone.</param>
    /// <param name="options">The heads' shape.</param>
    /// <param name="generator">Initialises the heads and draws their dropout masks (the run's stochastic stream).</param>
    public UPerNet(DenseBackbone backbone, UPerNetOptions options, Generator? generator) : base(nameof(UPerNet))
    {
        Options = options;
        this.backbone = backbone;
        var channels = backbone.Channels;
        decode_head = new UPerHead(channels, options.Channels, options.NumClasses, options.Scales, options.DropoutRatio, generator);
        if (options.AuxChannels > 0)
        {
            if (options.AuxIndex < 0 || options.AuxIndex >= channels.Length)
                throw new ArgumentException($"aux_index {options.AuxIndex} is not a backbone map (0..{channels.Length - 1})");
            auxiliary_head = new FcnHead(channels[options.AuxIndex], options.AuxChannels, options.NumClasses, 1, options.DropoutRatio, generator);
        }
        RegisterComponents();
    }

    public UPerNetOptions Options { get; }
    public DenseBackbone Backbone => backbone;

    /// <summary>Decode-head logits at the finest backbone map (stride patch size).</summary>
    /// <param name="images">(B, 3, H, W) normalised.</param>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return decode_head.forward(backbone.forward(images)).MoveToOuterDisposeScope();
    }

    /// <summary>mmseg encode_decode: logits resized bilinearly to the input size, (B, K, H, W).</summary>
    public Tensor EncodeDecode(Tensor images)
    {
        using var scope = NewDisposeScope();
        return UPerHead.ResizeTo(forward(images), images.shape[2], images.shape[3]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Training loss: CE(decode logits) + aux_weight x CE(aux logits), each resized to the label size, ignore 255.
    /// </summary>
    /// <param name="images">(B, 3, H, W).</param>
    /// <param name="labels">(B, H, W) int64.</param>
    public Tensor Loss(Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var feats = backbone.forward(images);
        var loss = SegmentationLoss.CrossEntropy(decode_head.forward(feats), labels, Options.AvgNonIgnore);
        if (auxiliary_head is not null)
        {
            var aux = SegmentationLoss.CrossEntropy(auxiliary_head.forward(feats[Options.AuxIndex]), labels, Options.AvgNonIgnore);
            loss = loss.Plus(aux.Times(Options.AuxWeight));
        }
        return loss.MoveToOuterDisposeScope();
    }
}
