using MimScale.Data.Loading;
using MimScale.Data.Transforms;
using MimScale.Tests.Data;
using MimScale.Training.Finetuning;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Training.Finetuning;

public class ClassificationLossTests
{
    // Row 0: log_softmax(2, 1, 0) = (-0.40760596, -1.40760596, -2.40760596); row 1: -ln 3 = -1.09861229 each.
    static Tensor Logits() => torch.tensor(new float[] { 2, 1, 0, 0, 0, 0 }).reshape(2, 3);

    [Fact]
    public void LabelSmoothingCrossEntropyByHand()
    {
        var labels = torch.tensor(new long[] { 0, 2 });
        Assert.Equal(0.75310912, ClassificationLoss.LabelSmoothing(Logits(), labels, 0).item<float>(), 5);   // plain CE
        // Row 0: 0.9 x 0.40760596 + 0.1 x 1.40760596 = 0.50760596; row 1: 1.09861229.
        Assert.Equal(0.80310912, ClassificationLoss.LabelSmoothing(Logits(), labels, 0.1).item<float>(), 5);
        // The same as cross-entropy against (1 - eps) onehot + eps / K.
        var smooth = torch.tensor(new float[] { 0.9f + 0.1f / 3, 0.1f / 3, 0.1f / 3, 0.1f / 3, 0.1f / 3, 0.9f + 0.1f / 3 }).reshape(2, 3);
        Assert.Equal(0.80310912, ClassificationLoss.SoftTarget(Logits(), smooth).item<float>(), 5);
    }

    [Fact]
    public void SoftTargetCrossEntropyByHand()
    {
        var t = torch.tensor(new float[] { 0.5f, 0.5f, 0, 0.2f, 0.3f, 0.5f }).reshape(2, 3);
        // Row 0: 0.5 x 0.40760596 + 0.5 x 1.40760596 = 0.90760596; row 1: 1.09861229.
        Assert.Equal(1.00310912, ClassificationLoss.SoftTarget(Logits(), t).item<float>(), 5);
        // Mixup of labels 0 and 2 with lambda 0.7 and smoothing 0.1 (row 0): targets (0.66333, 0.03333, 0.30333),
        // loss 0.7 x 0.50760596 + 0.3 x (0.9 x 2.40760596 + 0.1 x 1.40760596) = 1.04760596.
        float off = 0.1f / 3;
        var mixed = torch.tensor(new[] { off + 0.7f * 0.9f, off, off + 0.3f * 0.9f }).reshape(1, 3);
        Assert.Equal(1.04760596, ClassificationLoss.SoftTarget(Logits().narrow(0, 0, 1), mixed).item<float>(), 5);
    }

    [Fact]
    public void TheLossOfAMixedBatchIsTheLambdaMixOfBothLabelsSmoothedLosses()
    {
        // Real Mixup/CutMix batches from the loader: each row's soft-target loss equals
        // lambda x LS-CE(y_i) + (1 - lambda) x LS-CE(y_(B-1-i)) with lambda read back from the targets.
        const int classes = 5;
        var source = new PatternSource(16, classes);
        var transform = new FineTuneTransform(new FineTuneTransformConfig { ImageSize = 16, RandAugment = false });
        using var loader = new FineTuneLoader(source, transform, new LoaderOptions { BatchSize = 8, Workers = 1, Seed = 3 }, new MixupConfig());
        var gen = new Generator(1);
        int mixedRows = 0;
        for (int n = 0; n < 2; n++)
        {
            using var batch = loader.Next()!;
            var logits = torch.randn(new long[] { 8, classes }, generator: gen);
            var y = batch.Labels.data<long>().ToArray();
            var t = batch.Targets!;
            double off = 0.1 / classes, on = 0.9 + off;
            for (int i = 0; i < 8; i++)
            {
                long a = y[i], b = y[7 - i];
                var row = logits.narrow(0, i, 1);
                double soft = ClassificationLoss.SoftTarget(row, t.narrow(0, i, 1)).item<float>();
                double la = ClassificationLoss.LabelSmoothing(row, torch.tensor(new[] { a }), 0.1).item<float>();
                double lb = ClassificationLoss.LabelSmoothing(row, torch.tensor(new[] { b }), 0.1).item<float>();
                double lam = a == b ? 1 : (t[i, a].item<float>() - off) / (on - off);
                if (a != b) mixedRows++;
                Assert.Equal(lam * la + (1 - lam) * lb, soft, 4);
            }
        }
        Assert.True(mixedRows > 0);
    }
}
