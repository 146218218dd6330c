using System.Globalization;
using System.Text;
using MimScale.Files;
using MimScale.Models.SwinV2;
using MimScale.Models.TensorFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Inference;

/// <summary>`mimscale predict`: logits of a SwinV2 classifier for every image of a folder, as CSV.</summary>
public static class Predictor
{
    /// <summary>Writes OUT.csv: header image,class,logit_0..logit_{K-1}; logits with round-trip precision.</summary>
    public static void Run(SwinV2Options options, string checkpoint, string imagesDir, string outputCsv, TextWriter log)
    {
        if (options.NumClasses <= 0) throw new ArgumentException("predict needs num_classes > 0 (a classification head)");
        using var scope = NewDisposeScope();
        var model = new SwinTransformerV2(options);
        var report = ModelWeights.Load(model, checkpoint);
        log.WriteLine(report);
        model.eval();
        var files = ImageBatch.List(imagesDir);
        Tensor logits;
        using (torch.no_grad()) logits = model.forward(ImageBatch.Load(files, options.ImgSize[0], options.ImgSize[1]));
        var values = logits.data<float>().ToArray();
        int k = options.NumClasses;
        var sb = new StringBuilder("image,class," + string.Join(",", Enumerable.Range(0, k).Select(i => $"logit_{i}")) + "\n");
        for (int n = 0; n < files.Count; n++)
        {
            var row = values.AsSpan(n * k, k);
            int best = 0;
            for (int j = 1; j < k; j++) if (row[j] > row[best]) best = j;
            sb.Append(Path.GetFileName(files[n])).Append(',').Append(best);
            foreach (var v in row) sb.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(outputCsv, sb.ToString());
        log.WriteLine($"predict: {files.Count} images -> {outputCsv}");
    }
}
