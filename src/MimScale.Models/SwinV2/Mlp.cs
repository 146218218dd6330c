using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Models.SwinV2;

/// <summary>fc1 -> GELU (exact erf form) -> dropout -> fc2 -> dropout.</summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly GELU act;
    private readonly Linear fc2;
    private readonly Dropout? drop;

    public Mlp(int inFeatures, int hiddenFeatures, double dropRate) : base(nameof(Mlp))
    {
        fc1 = Linear(inFeatures, hiddenFeatures);
        act = GELU();
        fc2 = Linear(hiddenFeatures, inFeatures);
        if (dropRate > 0) drop = Dropout(dropRate);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = act.forward(fc1.forward(x));
        if (drop is not null) x = drop.forward(x);
        x = fc2.forward(x);
        return drop is null ? x : drop.forward(x);
    }
}
