using MimScale.Data.Loading;
using MimScale.Data.Random;

namespace MimScale.Data.Transforms;

/// <summary>Mixup/CutMix settings (SPEC §5.1: Mixup α 0.8, CutMix α 1.0, prob 1.0, switch 0.5, batch mode, smoothing 0.1).</summary>
public sealed record MixupConfig
{
    /// <summary>Mixup Beta parameter (0 = off).</summary>
    public double MixupAlpha { get; init; } = 0.8;
    /// <summary>CutMix Beta parameter (0 = off).</summary>
    public double CutmixAlpha { get; init; } = 1.0;
    /// <summary>Probability of mixing a batch at all.</summary>
    public double Probability { get; init; } = 1.0;
    /// <summary>Probability of CutMix rather than Mixup when both are on.</summary>
    public double SwitchProbability { get; init; } = 0.5;
    /// <summary>Label smoothing folded into the soft targets.</summary>
    public double LabelSmoothing { get; init; } = 0.1;
}

/// <summary>
/// timm's Mixup in 'batch' mode: one λ per batch; sample i is mixed with sample B-1-i (the flipped batch).
/// CutMix pastes the partner's box (side sqrt(1-λ) of the image, centre uniform, clipped) and corrects λ to the
/// pasted area. Targets: λ * smooth(onehot(y)) + (1-λ) * smooth(onehot(y_flipped)), smooth = (1-ε) onehot + ε/K.
/// Draws from stream (seed, Batch, epoch, batch index).
/// </summary>
public sealed class MixupCutmix(MixupConfig config, int numClasses, ulong seed)
{
    /// <summary>Settings.</summary>
    public MixupConfig Config { get; } = config;

    /// <summary>Mixes <paramref name="batch"/> in place and sets its soft targets; returns the λ used.</summary>
    public double Apply(HostBatch batch)
    {
        if (batch.Count % 2 != 0) throw new ArgumentException($"batch-mode Mixup needs an even batch size, got {batch.Count}");
        var rng = DataRng.For(seed, RandomStream.Batch, batch.Position.Epoch, batch.Position.BatchIndex);
        double lam = 1.0;
        bool cutmix = false;
        if (rng.NextDouble() < Config.Probability && (Config.MixupAlpha > 0 || Config.CutmixAlpha > 0))
        {
            if (Config.MixupAlpha > 0 && Config.CutmixAlpha > 0)
            {
                cutmix = rng.NextDouble() < Config.SwitchProbability;
                lam = cutmix ? rng.Beta(Config.CutmixAlpha, Config.CutmixAlpha) : rng.Beta(Config.MixupAlpha, Config.MixupAlpha);
            }
            else if (Config.MixupAlpha > 0) lam = rng.Beta(Config.MixupAlpha, Config.MixupAlpha);
            else { cutmix = true; lam = rng.Beta(Config.CutmixAlpha, Config.CutmixAlpha); }
        }
        int n = batch.Count, s = batch.ImageSize, per = batch.ImageFloats;
        if (lam < 1.0)
        {
            var original = batch.Images.AsSpan(0, n * per).ToArray();
            if (cutmix)
            {
                double ratio = Math.Sqrt(1 - lam);
                int cutH = (int)(s * ratio), cutW = (int)(s * ratio);
                int cy = rng.NextInt(s), cx = rng.NextInt(s);
                int yl = Math.Clamp(cy - cutH / 2, 0, s), yh = Math.Clamp(cy + cutH / 2, 0, s);
                int xl = Math.Clamp(cx - cutW / 2, 0, s), xh = Math.Clamp(cx + cutW / 2, 0, s);
                for (int i = 0; i < n; i++)
                {
                    int j = n - 1 - i;
                    for (int c = 0; c < 3; c++)
                        for (int y = yl; y < yh; y++)
                        {
                            int at = c * s * s + y * s + xl;
                            original.AsSpan(j * per + at, xh - xl).CopyTo(batch.Images.AsSpan(i * per + at, xh - xl));
                        }
                }
                lam = 1.0 - (double)(yh - yl) * (xh - xl) / (s * s);
            }
            else
            {
                float l = (float)lam, m = (float)(1 - lam);
                for (int i = 0; i < n; i++)
                {
                    var dst = batch.Images.AsSpan(i * per, per);
                    var a = original.AsSpan(i * per, per);
                    var b = original.AsSpan((n - 1 - i) * per, per);
                    for (int k = 0; k < per; k++) dst[k] = a[k] * l + b[k] * m;
                }
            }
        }
        double off = Config.LabelSmoothing / numClasses, on = 1.0 - Config.LabelSmoothing + off;
        var targets = new float[n * numClasses];
        for (int i = 0; i < n; i++)
        {
            long yi = batch.Labels[i], yj = batch.Labels[n - 1 - i];
            if (yi < 0 || yi >= numClasses || yj < 0 || yj >= numClasses) throw new ArgumentException($"label outside 0..{numClasses - 1}");
            var row = targets.AsSpan(i * numClasses, numClasses);
            row.Fill((float)off);
            row[(int)yi] += (float)(lam * (on - off));
            row[(int)yj] += (float)((1 - lam) * (on - off));
        }
        batch.Targets = targets;
        batch.TargetClasses = numClasses;
        return lam;
    }
}
