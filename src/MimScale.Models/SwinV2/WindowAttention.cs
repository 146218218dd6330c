using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Models.SwinV2;

/// <summary>
/// SwinV2 window attention: scaled cosine attention with a learnable, clamped logit scale per head and a
/// log-spaced continuous position bias (cpb_mlp) squashed to 16*sigmoid. SPEC §2.3.
/// </summary>
public sealed class WindowAttention : Module<Tensor, Tensor?, Tensor>
{
    // Field names are the official state-dict keys.
    private readonly Parameter logit_scale;          // (h, 1, 1), init ln 10
    private readonly Sequential cpb_mlp;             // 2 -> 512 (bias) -> ReLU -> heads (no bias)
    private readonly Linear qkv;                     // d -> 3d, no bias tensor: the bias is cat(q_bias, 0, v_bias)
    private readonly Parameter? q_bias;
    private readonly Parameter? v_bias;
    private readonly Dropout? attn_drop;
    private readonly Linear proj;
    private readonly Dropout? proj_drop;
    private readonly Tensor relative_coords_table;   // (1, 2w-1, 2w-1, 2) float32 buffer
    private readonly Tensor relative_position_index; // (N, N) int64 buffer

    private readonly int numHeads, window;
    // The clamp keeps exp(logit_scale) <= 100, i.e. a temperature of at least 0.01 (official: log(1/0.01)).
    private static readonly double MaxLogitScale = Math.Log(100.0);

    public WindowAttention(int dim, int window, int numHeads, bool qkvBias, double attnDrop, double projDrop, int pretrainedWindow)
        : base(nameof(WindowAttention))
    {
        this.numHeads = numHeads;
        this.window = window;
        logit_scale = new Parameter(torch.full(numHeads, 1, 1, Math.Log(10.0)));
        cpb_mlp = Sequential(("0", Linear(2, 512, hasBias: true)), ("1", ReLU()), ("2", Linear(512, numHeads, hasBias: false)));
        qkv = Linear(dim, dim * 3, hasBias: false);
        if (qkvBias)
        {
            q_bias = new Parameter(torch.zeros(dim));
            v_bias = new Parameter(torch.zeros(dim));
        }
        if (attnDrop > 0) attn_drop = Dropout(attnDrop);
        proj = Linear(dim, dim);
        if (projDrop > 0) proj_drop = Dropout(projDrop);
        relative_coords_table = WindowOps.RelativeCoordsTable(window, pretrainedWindow);
        relative_position_index = WindowOps.RelativePositionIndex(window);
        RegisterComponents();
    }

    public int NumHeads => numHeads;
    public int Window => window;

    /// <summary>(heads, N, N) position bias 16*sigmoid(cpb_mlp(table)) gathered by the relative index.</summary>
    public Tensor RelativePositionBias()
    {
        using var scope = NewDisposeScope();
        long n = (long)window * window;
        var table = cpb_mlp.forward(relative_coords_table).view(-1, numHeads);          // ((2w-1)^2, h)
        var bias = table.index_select(0, relative_position_index.view(-1))               // (N*N, h)
                        .view(n, n, numHeads).permute(2, 0, 1);                          // (h, N, N)
        return (16 * torch.sigmoid(bias)).MoveToOuterDisposeScope();
    }

    /// <param name="x">(B*nW, N, C) tokens of each window.</param>
    /// <param name="mask">(nW, N, N) 0/-100 mask for shifted windows, or null.</param>
    public override Tensor forward(Tensor x, Tensor? mask)
    {
        long b = x.shape[0], n = x.shape[1], c = x.shape[2];
        Tensor? bias = null;
        if (q_bias is not null) bias = torch.cat(new[] { q_bias, torch.zeros_like(v_bias!), v_bias! });  // k bias is 0
        var qkvOut = functional.linear(x, qkv.weight!, bias)                               // (B_, N, 3C)
            .reshape(b, n, 3, numHeads, c / numHeads).permute(2, 0, 3, 1, 4);              // (3, B_, h, N, C/h)
        var q = qkvOut[0]; var k = qkvOut[1]; var v = qkvOut[2];

        // Cosine similarity: F.normalize divides by max(||.||, 1e-12).
        var attn = functional.normalize(q, dim: -1).matmul(functional.normalize(k, dim: -1).transpose(-2, -1)); // (B_, h, N, N)
        attn = attn * logit_scale.clamp_max(MaxLogitScale).exp();
        attn = attn + RelativePositionBias().unsqueeze(0);

        if (mask is not null)
        {
            long nW = mask.shape[0];
            attn = attn.view(b / nW, nW, numHeads, n, n) + mask.unsqueeze(1).unsqueeze(0);
            attn = attn.view(-1, numHeads, n, n);
        }
        attn = attn.softmax(-1);
        if (attn_drop is not null) attn = attn_drop.forward(attn);

        var y = attn.matmul(v).transpose(1, 2).reshape(b, n, c);                         // (B_, N, C)
        y = proj.forward(y);
        return proj_drop is null ? y : proj_drop.forward(y);
    }
}
