using MimScale.Models.SwinV2;
using MimScale.Models.TensorFiles;
using MimScale.Training.Finetuning;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Backbone;

/// <summary>
/// SwinV2 as a backbone for segmentation and detection (mmseg/mmdet <c>SwinTransformer</c> with out_indices
/// (0, 1, 2, 3)): each stage's output BEFORE its patch merging, through a new LayerNorm <c>norm{i}</c>, as an NCHW map
/// with C·2^i channels at stride patch·2^i (4/8/16/32 for patch 4). The classifier's final norm and head are not used.
/// Field names are the official ones, so inside a segmentor held as <c>backbone</c> the state dict reads
/// <c>backbone.patch_embed.*</c>, <c>backbone.layers.0.blocks.0.*</c>, <c>backbone.norm0.weight</c>.
/// </summary>
/// <remarks>
/// Any input size, as mmseg/mmdet's Swin: the image is zero-padded right/bottom to a multiple of the patch
/// (<see cref="PatchEmbed.ForwardAnySize"/>); every block zero-pads its attention input to a multiple of its window
/// and crops it back (<see cref="SwinTransformerBlock.ForwardAt"/>, shift masks built per padded grid and cached);
/// patch merging pads an odd side by one (<see cref="PatchMerging.ForwardAt"/>). So stage i of an H x W image is
/// exactly ceil(H/stride_i) x ceil(W/stride_i), and at the configured img_size every stage equals the classifier's.
/// Each block keeps the window and shift it has at the configured img_size (official clipping rule applied there,
/// not per input), so the position-bias MLP sees the coordinates it was trained on; an absolute position embedding
/// (ape) is resized bicubically to the token grid when the grid differs (align_corners=False), as the official Swin
/// detection backbone does (Swin-Transformer-Object-Detection, backbones/swin_transformer.py forward; mmdet 3.x's own
/// Swin only adds a fixed-size embedding).
/// </remarks>
public sealed class DenseBackbone : Module<Tensor, Tensor[]>
{
    private readonly PatchEmbed patch_embed;
    private readonly Parameter? absolute_pos_embed;   // (1, Hp*Wp, C) at the configured img_size
    private readonly Dropout? pos_drop;
    private readonly ModuleList<BasicLayer> layers;
    private readonly LayerNorm[] outNorms;            // registered as norm0..norm{n-1}

    // Held for the life of the module: a Scalar made per call can be freed by its finalizer mid-call (TorchSharp 0.107).
    private static readonly Scalar One = 1.0;

    /// <summary>A backbone with the official SwinV2 initialisation (new output norms: weight 1, bias 0).</summary>
    public DenseBackbone(SwinV2Options options, Generator? generator = null) : this(options, generator, init: true) { }

    /// <summary>A backbone with the encoder's weights (its final norm and head are left out).</summary>
    public DenseBackbone(SwinTransformerV2 encoder) : this(encoder.Options, null, init: false)
    {
        using var _ = torch.no_grad();
        var source = encoder.state_dict();
        foreach (var (name, target) in state_dict())
        {
            if (IsOutputNorm(name)) continue;
            if (!source.TryGetValue(name, out var value) || !value.shape.SequenceEqual(target.shape))
                throw new ArgumentException($"the encoder has no '{name}' of shape [{string.Join(", ", target.shape)}]");
            target.copy_(value);
        }
    }

    DenseBackbone(SwinV2Options options, Generator? generator, bool init) : base(nameof(DenseBackbone))
    {
        var o = Options = (options with { NumClasses = 0 }).Validate();
        patch_embed = new PatchEmbed(o.ImgSize, o.PatchSize, o.InChans, o.EmbedDim, o.PatchNorm);
        var (ph, pw) = o.PatchesResolution;
        if (o.Ape) absolute_pos_embed = new Parameter(torch.zeros(1, (long)ph * pw, o.EmbedDim));
        if (o.DropRate > 0) pos_drop = Dropout(o.DropRate);
        var rates = o.DropPathRates();
        layers = new ModuleList<BasicLayer>();
        for (int i = 0; i < o.NumLayers; i++) layers.Add(new BasicLayer(o, i, rates, generator));
        RegisterComponents();
        // After RegisterComponents, by hand: the keys must be norm0, norm1, ... (mmseg/mmdet), not an array field's.
        outNorms = new LayerNorm[o.NumLayers];
        for (int i = 0; i < o.NumLayers; i++) register_module($"norm{i}", outNorms[i] = LayerNorm(Channels[i], eps: 1e-5));
        if (!init) return;
        SwinV2Init.Apply(this, generator);
        if (absolute_pos_embed is not null) SwinV2Init.TruncNormal(absolute_pos_embed, generator);
    }

    /// <summary>The encoder configuration (num_classes 0); img_size fixes the windows and the ape grid.</summary>
    public SwinV2Options Options { get; }

    /// <summary>Channels of each output map: embed_dim * 2^i.</summary>
    public int[] Channels => Enumerable.Range(0, Options.NumLayers).Select(i => Options.EmbedDim << i).ToArray();

    /// <summary>Stride of each output map in input pixels: patch_size * 2^i.</summary>
    public int[] Strides => Enumerable.Range(0, Options.NumLayers).Select(i => Options.PatchSize << i).ToArray();

    public IReadOnlyList<BasicLayer> Layers => layers.ToList();

    /// <summary>(height, width) of output map <paramref name="stage"/> for an input of (height, width): ceil(side / stride).</summary>
    public (int H, int W) OutputSize(int height, int width, int stage) =>
        ((height + Strides[stage] - 1) / Strides[stage], (width + Strides[stage] - 1) / Strides[stage]);

    /// <param name="image">(B, in_chans, H, W), any H and W.</param>
    /// <returns>One (B, C·2^i, ceil(H/stride_i), ceil(W/stride_i)) map per stage.</returns>
    public override Tensor[] forward(Tensor image)
    {
        if (image.dim() != 4 || image.shape[1] != Options.InChans)
            throw new ArgumentException($"expected (B, {Options.InChans}, H, W) images, got [{string.Join(", ", image.shape)}]");
        using var scope = NewDisposeScope();
        long b = image.shape[0];
        var (h, w) = OutputSize((int)image.shape[2], (int)image.shape[3], 0);
        var x = patch_embed.ForwardAnySize(image);                                    // (B, h*w, C)
        if (absolute_pos_embed is not null) x = x.add(PositionEmbedding(h, w), One);
        if (pos_drop is not null) x = pos_drop.forward(x);

        var outs = new Tensor[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].ForwardBlocksAt(x, h, w);                                   // (B, h*w, C_i), before merging
            outs[i] = outNorms[i].forward(x).view(b, h, w, -1).permute(0, 3, 1, 2).contiguous();   // (B, C_i, h, w)
            x = layers[i].DownsampleAt(x, h, w);
            (h, w) = ((h + 1) / 2, (w + 1) / 2);
        }
        foreach (var o in outs) o.MoveToOuterDisposeScope();
        return outs;
    }

    // (1, h*w, C): the configured embedding, or its bicubic resize to another grid (official Swin detection backbone).
    Tensor PositionEmbedding(int h, int w)
    {
        var (ph, pw) = Options.PatchesResolution;
        if (h == ph && w == pw) return absolute_pos_embed!;
        var grid = absolute_pos_embed!.view(1, ph, pw, -1).permute(0, 3, 1, 2);        // (1, C, ph, pw)
        return functional.interpolate(grid, new long[] { h, w }, mode: InterpolationMode.Bicubic, align_corners: false)
                         .flatten(2).transpose(1, 2);                                 // (1, h*w, C)
    }

    static bool IsOutputNorm(string name) =>
        name.StartsWith("norm", StringComparison.Ordinal) && name.Length > 4 && char.IsDigit(name[4]);

    /// <summary>
    /// A backbone from pre-trained weights, through fine-tuning's own loader (<see cref="PretrainedWeights"/>):
    /// <paramref name="pretrained"/> is a MimScale pre-training run folder, a MimScale or official SimMIM / SwinV2
    /// checkpoint (.pth or .safetensors), or null / "scratch". pretrained_window_sizes come from the checkpoint's
    /// effective windows unless given, so a backbone may use another window (and size) than pre-training, as
    /// fine-tuning does 12 -> 14; the load is strict (every encoder weight must find its place). The output norms are new.
    /// </summary>
    /// <param name="options">The backbone's encoder: img_size and window_size as wanted for the dense task.</param>
    /// <param name="pretrained">A run folder, a checkpoint file, or null / "scratch".</param>
    /// <param name="pretrainedWindowSizes">Windows the weights were trained at; null = read from the checkpoint.</param>
    /// <param name="generator">Initialises the weights the checkpoint does not set (all of them from scratch).</param>
    /// <returns>The backbone and the load report (null from scratch).</returns>
    public static (DenseBackbone Backbone, WeightLoadReport? Report) FromPretrained(SwinV2Options options, string? pretrained,
        int[]? pretrainedWindowSizes = null, Generator? generator = null)
    {
        var weights = PretrainedWeights.Resolve(pretrained);
        var adapted = weights.Adapt(options with { NumClasses = 0 }, pretrainedWindowSizes);
        if (weights.IsScratch) return (new DenseBackbone(adapted, generator), null);
        var (encoder, report) = weights.Build(adapted, generator);
        using (encoder) return (new DenseBackbone(encoder), report);
    }
}
