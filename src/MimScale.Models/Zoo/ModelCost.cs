using MimScale.Models.SwinV2;

namespace MimScale.Models.Zoo;

/// <summary>
/// Parameter and FLOP counts of a SwinV2 from its options alone (no tensors, so SwinV2-G's 3B parameters cost
/// nothing). FLOPs follow the official <c>flops()</c> convention: multiply-accumulates of the linear layers and the
/// two attention matmuls, LayerNorms as dim*H*W; softmax, GELU and cpb_mlp are not counted.
/// </summary>
public static class ModelCost
{
    /// <summary>Parameters of the model as built (including the head when num_classes > 0), SPEC §1.2.</summary>
    public static long Parameters(SwinV2Options o)
    {
        long p = (long)o.InChans * o.PatchSize * o.PatchSize * o.EmbedDim + o.EmbedDim;   // patch_embed.proj
        if (o.PatchNorm) p += 2L * o.EmbedDim;
        if (o.Ape) p += (long)o.PatchesResolution.H * o.PatchesResolution.W * o.EmbedDim;
        for (int i = 0; i < o.NumLayers; i++)
        {
            long d = o.EmbedDim << i, h = o.NumHeads[i], hidden = (long)(d * o.MlpRatio);
            long block = 2 * d                                   // norm1
                         + h                                     // logit_scale
                         + 2 * 512 + 512 + 512 * h               // cpb_mlp
                         + 3 * d * d + (o.QkvBias ? 2 * d : 0)   // qkv weight, q_bias, v_bias
                         + d * d + d                             // proj
                         + 2 * d                                 // norm2
                         + d * hidden + hidden + hidden * d + d; // fc1, fc2
            p += block * o.Depths[i];
            if (i < o.NumLayers - 1) p += 4 * d * 2 * d + 2 * (2 * d); // reduction (no bias) + norm
        }
        p += 2L * o.NumFeatures;                                  // final norm
        if (o.NumClasses > 0) p += (long)o.NumFeatures * o.NumClasses + o.NumClasses;
        return p;
    }

    /// <summary>Forward multiply-accumulates of one image, official convention.</summary>
    public static double Flops(SwinV2Options o)
    {
        var (ph, pw) = o.PatchesResolution;
        double f = (double)ph * pw * o.EmbedDim * o.InChans * o.PatchSize * o.PatchSize; // patch_embed conv
        if (o.PatchNorm) f += (double)ph * pw * o.EmbedDim;
        for (int i = 0; i < o.NumLayers; i++)
        {
            var (h, w) = o.StageResolution(i);
            double d = o.EmbedDim << i, tokens = (double)h * w;
            for (int j = 0; j < o.Depths[i]; j++)
            {
                var (window, _) = o.EffectiveWindow(i, j);
                double n = (double)window * window, windows = tokens / n;
                double attn = n * d * 3 * d                     // qkv
                              + 2 * n * n * d                   // q @ k^T and attn @ v (heads * N * N * d/heads each)
                              + n * d * d;                      // proj
                f += d * tokens                                 // norm1
                     + windows * attn
                     + 2 * tokens * d * d * o.MlpRatio          // mlp
                     + d * tokens;                              // norm2
            }
            if (i < o.NumLayers - 1)
                f += (h / 2) * (w / 2) * 4 * d * 2 * d          // reduction
                     + (h / 2) * (w / 2) * 2 * d;               // norm (v2: after the reduction, on 2d)
        }
        var (lh, lw) = o.StageResolution(o.NumLayers - 1);
        f += (double)o.NumFeatures * lh * lw;                   // final norm
        f += (double)o.NumFeatures * o.NumClasses;              // head
        return f;
    }

    /// <summary>
    /// Training FLOPs per image for SimMIM (forward + backward ~ 3x forward MACs, counted as 2 FLOPs each), encoder
    /// plus the linear decoder's 1x1 conv. Used for model-FLOPs utilisation.
    /// </summary>
    public static double SimMimTrainingFlops(SwinV2Options encoder, int encoderStride)
    {
        var e = encoder with { NumClasses = 0 };
        var (lh, lw) = e.StageResolution(e.NumLayers - 1);
        double decoder = (double)lh * lw * e.NumFeatures * encoderStride * encoderStride * 3;
        return 3 * 2 * (Flops(e) + decoder);
    }
}
