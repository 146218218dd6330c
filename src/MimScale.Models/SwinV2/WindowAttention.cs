using MimScale.Models.Runtime;
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
    // Scalars held in static fields: a temporary one can be freed mid-call (see Runtime/ScalarSafe.cs).
    private static readonly Scalar MaxLogitScale = Math.Log(100.0);
    private static readonly Scalar MinSquaredNorm = 1e-24;

    public WindowAttention(int dim, int window, int numHeads, bool qkvBias, double attnDrop, double projDrop, int pretrainedWindow)
        : base(nameof(WindowAttention))
    {
        this.numHeads = numHeads;
        this.window = window;
        using var initialScale = Math.Log(10.0).ToScalar();
        logit_scale = new Parameter(torch.full(numHeads, 1, 1, initialScale));
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
        // Squash before gathering (elementwise, so it commutes with the gather): 529 x h values instead of 20736 x h
        // at window 12. Gathering columns of the (h, (2w-1)^2) transpose yields (h, N*N) contiguous, so the bias
        // adds onto the attention logits without a permuted read. RPB forward+backward at h 12: 3.4 -> 2.0 ms.
        var squashed = torch.sigmoid(table).Times(16).t();                                  // (h, (2w-1)^2)
        return squashed.index_select(1, relative_position_index.view(-1)).view(numHeads, n, n).MoveToOuterDisposeScope();
    }

    /// <param name="x">(B*nW, N, C) tokens of each window.</param>
    /// <param name="mask">(nW, N, N) 0/-100 mask for shifted windows, or null.</param>
    public override Tensor forward(Tensor x, Tensor? mask)
    {
        long b = x.shape[0], n = x.shape[1], c = x.shape[2], d = c / numHeads;
        Tensor? bias = null;
        if (q_bias is not null) bias = torch.cat(new[] { q_bias, ZeroKeyBias(), v_bias! });          // k bias is 0
        // unbind (not three selects): its backward stacks the three gradients in one op instead of filling three
        // zero (3, B_, h, N, d) tensors and summing them (the selects' backward measured 20-24 ms at SwinV2-T stage 0).
        var qkvOut = functional.linear(x, qkv.weight!, bias)                                       // (B_, N, 3C)
            .view(b, n, 3, numHeads, d).permute(2, 0, 3, 1, 4).unbind(0);                          // 3 x (B_, h, N, d)
        var (q, k, v) = (qkvOut[0], qkvOut[1], qkvOut[2]);

        // Cosine similarity times the per-head logit scale. F.normalize divides by max(||.||, 1e-12); multiplying by
        // rsqrt(max(||.||^2, 1e-24)) is the same number, and the scale rides on the same (B_, h, N, 1) factor, so the
        // (B_, h, N, N) logits are never rescaled: one pass over the big tensor less, and a cheaper backward.
        var scale = logit_scale.clamp_max(MaxLogitScale).exp();                                    // (h, 1, 1)
        var qn = q * (q.Squared().sum(-1, keepdim: true).clamp_min(MinSquaredNorm).rsqrt() * scale); // (B_, h, N, d)
        var kn = k * k.Squared().sum(-1, keepdim: true).clamp_min(MinSquaredNorm).rsqrt();
        // Position bias and shift mask are summed on the small (nW, h, N, N) tensor and added in place once
        // (matmul's backward does not need its output, so the in-place add is safe for autograd). With a mask the
        // logits are computed as (B, nW, h, N, N) so that add_ hits the matmul output itself: add_ on a view of it
        // would make autograd rebuild the whole base tensor in backward (CopySlices), measured 20-30 ms slower.
        var rpb = RelativePositionBias();                                                          // (h, N, N)
        Tensor attn;
        if (mask is null) attn = qn.matmul(kn.transpose(-2, -1)).PlusInPlace(rpb);                         // (B_, h, N, N)
        else
        {
            long nW = mask.shape[0];
            var q5 = qn.view(b / nW, nW, numHeads, n, d);
            var k5 = kn.view(b / nW, nW, numHeads, n, d);
            attn = q5.matmul(k5.transpose(-2, -1)).PlusInPlace(rpb.Plus(mask.unsqueeze(1)))                   // (B, nW, h, N, N)
                     .view(b, numHeads, n, n);
        }
        attn = attn.softmax(-1);
        if (attn_drop is not null) attn = attn_drop.forward(attn);

        var y = attn.matmul(v).transpose(1, 2).reshape(b, n, c);                                   // (B_, N, C)
        y = proj.forward(y);
        return proj_drop is null ? y : proj_drop.forward(y);
    }

    // The constant zero key bias, made once per dtype/device instead of per call (not a parameter or buffer: the
    // official state dict has only q_bias and v_bias).
    private Tensor? zeroKeyBias;
    private Tensor ZeroKeyBias()
    {
        if (zeroKeyBias is null || zeroKeyBias.dtype != v_bias!.dtype || zeroKeyBias.device != v_bias.device)
            zeroKeyBias = torch.zeros_like(v_bias!).DetachFromDisposeScope();
        return zeroKeyBias;
    }
}
