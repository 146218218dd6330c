using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Models.SwinV2;

/// <summary>One stage: its blocks, then patch merging at the end (official order; key `downsample`).</summary>
public sealed class BasicLayer : Module<Tensor, Tensor>
{
    private readonly ModuleList<SwinTransformerBlock> blocks;
    private readonly PatchMerging? downsample;
    private readonly bool useCheckpoint;
    private readonly Generator[][] streams;   // per block: the random streams it draws from (forked by the checkpoint)

    public BasicLayer(SwinV2Options o, int stage, double[] dropPathRates, Generator? generator) : base(nameof(BasicLayer))
    {
        int dim = o.EmbedDim << stage;
        var resolution = o.StageResolution(stage);
        int first = o.Depths.Take(stage).Sum();
        blocks = new ModuleList<SwinTransformerBlock>();
        for (int j = 0; j < o.Depths[stage]; j++)
        {
            var (window, shift) = o.EffectiveWindow(stage, j);
            blocks.Add(new SwinTransformerBlock(dim, resolution, o.NumHeads[stage], window, shift, o.MlpRatio, o.QkvBias,
                o.DropRate, o.AttnDropRate, dropPathRates[first + j], o.PretrainedWindowSizes[stage], generator));
        }
        if (stage < o.NumLayers - 1) downsample = new PatchMerging(resolution, dim);
        RegisterComponents();
        useCheckpoint = o.UseCheckpoint;
        // Drop path draws from the model's generator (the default one without it); dropout always from the default one.
        bool dropout = o.DropRate > 0 || o.AttnDropRate > 0;
        streams = Enumerable.Range(0, o.Depths[stage]).Select(j =>
        {
            var s = new List<Generator>();
            if (dropPathRates[first + j] > 0) s.Add(generator ?? torch.Generator.Default);
            if (dropout && (generator is not null || dropPathRates[first + j] <= 0)) s.Add(torch.Generator.Default);
            return s.ToArray();
        }).ToArray();
    }

    public IReadOnlyList<SwinTransformerBlock> Blocks => blocks.ToList();

    /// <summary>Runs the blocks only (the stage output before merging).</summary>
    public Tensor ForwardBlocks(Tensor x)
    {
        for (int j = 0; j < blocks.Count; j++) x = Run(j, x, blocks[j].forward);
        return x;
    }

    public Tensor Downsample(Tensor x) => downsample is null ? x : downsample.forward(x);

    /// <summary>The blocks on a (height, width) token grid of any size (dense backbones; see <see cref="SwinTransformerBlock.ForwardAt"/>).</summary>
    public Tensor ForwardBlocksAt(Tensor x, int height, int width)
    {
        for (int j = 0; j < blocks.Count; j++)
        {
            var block = blocks[j];
            x = Run(j, x, t => block.ForwardAt(t, height, width));
        }
        return x;
    }

    // Official BasicLayer.forward: `x = checkpoint.checkpoint(blk, x) if self.use_checkpoint else blk(x)`. A forward that
    // records no graph (evaluation under no_grad) is a plain call (BlockCheckpoint falls back). Parameters are listed per
    // call: moving the module to another device or dtype replaces them.
    Tensor Run(int j, Tensor x, Func<Tensor, Tensor> forward) =>
        useCheckpoint ? BlockCheckpoint.Apply(forward, x, blocks[j].parameters().ToList(), streams[j]) : forward(x);

    /// <summary>Patch merging of a (height, width) grid of any size, to (ceil(height/2), ceil(width/2)); identity in the last stage.</summary>
    public Tensor DownsampleAt(Tensor x, int height, int width) => downsample is null ? x : downsample.ForwardAt(x, height, width);

    public override Tensor forward(Tensor x) => Downsample(ForwardBlocks(x));
}
