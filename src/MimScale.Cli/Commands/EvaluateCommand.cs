using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MimScale.Training.Evaluation;

namespace MimScale.Cli.Commands;

/// <summary>
/// `mimscale evaluate --checkpoint RUN_OR_FILE|scratch --method knn|linear_probe|both [--model swinv2-nano] ...`:
/// the cheap frozen-encoder proxies (k-NN, linear probe) on pooled features.
/// </summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Pre-training run folder, checkpoint file, or 'scratch' (random init)", Required = true };
        var method = new Option<string>("--method") { Description = "knn, linear_probe or both", DefaultValueFactory = _ => "both" };
        var model = new Option<string>("--model") { Description = "Zoo size of the encoder", DefaultValueFactory = _ => "swinv2-nano" };
        var train = new Option<string>("--train-source") { Description = "Labelled training images (k-NN bank, probe training)", DefaultValueFactory = _ => "fashion-mnist@train" };
        var val = new Option<string>("--val-source") { Description = "Labelled evaluation images", DefaultValueFactory = _ => "fashion-mnist@test" };
        var fraction = new Option<double>("--train-fraction") { Description = "Class-balanced fraction of the training images", DefaultValueFactory = _ => 1.0 };
        var valImages = new Option<int>("--val-images") { Description = "Evaluate on a fixed class-balanced subset of N images (0 = all)" };
        var crop = new Option<double>("--eval-crop-ratio") { Description = "Resize to int(size/ratio) then centre-crop (1 = resize straight)", DefaultValueFactory = _ => 1.0 };
        var k = new Option<int>("--k") { Description = "k-NN neighbours", DefaultValueFactory = _ => 20 };
        var temperature = new Option<double>("--temperature") { Description = "k-NN vote temperature", DefaultValueFactory = _ => 0.07 };
        var majority = new Option<bool>("--majority") { Description = "k-NN plain majority vote instead of exp(sim/T) weights" };
        var steps = new Option<int>("--probe-steps") { Description = "Linear-probe AdamW updates", DefaultValueFactory = _ => 500 };
        var lr = new Option<double>("--probe-lr") { Description = "Linear-probe peak rate", DefaultValueFactory = _ => 0.05 };
        var seed = new Option<ulong>("--seed") { Description = "Seed (random init for 'scratch')" };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0 = default)" };
        var command = new Command("evaluate", "Frozen-encoder proxies: k-NN (cosine, k=20, weighted T=0.07) and linear-probe top-1 on pooled features.");
        foreach (var o in new Option[] { checkpoint, method, model, train, val, fraction, valImages, crop, k, temperature, majority, steps, lr, seed, threads })
            command.Options.Add(o);
        command.SetAction(r => CliErrors.Run(() =>
        {
            string m = r.GetValue(method)!;
            if (m is not ("knn" or "linear_probe" or "both")) throw new ArgumentException($"--method must be knn, linear_probe or both, got '{m}'");
            if (r.GetValue(threads) > 0) TorchSharp.torch.set_num_threads(r.GetValue(threads));
            var probe = new ProbeOptions
            {
                Model = r.GetValue(model)!, TrainSource = r.GetValue(train)!, ValSource = r.GetValue(val)!, TrainFraction = r.GetValue(fraction),
                ValImages = r.GetValue(valImages), EvalCropRatio = r.GetValue(crop), Seed = r.GetValue(seed),
            };
            var clock = Stopwatch.StartNew();
            var (encoder, weights) = probe.BuildEncoder(r.GetValue(checkpoint));
            using var _ = encoder;
            Console.WriteLine($"evaluate: encoder {probe.Model} from {weights.CheckpointFile ?? "random init"}");
            var (trainSet, valSet) = probe.Features(encoder);
            using (trainSet) using (valSet)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"features: {trainSet.Count} train, {valSet.Count} val, dim {trainSet.Features.shape[1]} ({clock.Elapsed.TotalSeconds:F0} s)"));
                if (m is "knn" or "both")
                {
                    var knn = KnnEval.Evaluate(trainSet, valSet, new KnnOptions { K = r.GetValue(k), Temperature = r.GetValue(temperature), Weighted = !r.GetValue(majority) });
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"knn ({(knn.Options.Weighted ? $"weighted T={knn.Options.Temperature}" : "majority")}, k={knn.Options.K}): top1 {100 * knn.Accuracy.Top1:F2} top5 {100 * knn.Accuracy.Top5:F2} mean/class {100 * knn.Accuracy.MeanPerClass:F2}"));
                }
                if (m is "linear_probe" or "both")
                {
                    var lp = LinearProbe.Evaluate(trainSet, valSet, new LinearProbeOptions { Steps = r.GetValue(steps), Lr = r.GetValue(lr), Seed = r.GetValue(seed) });
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"linear probe ({lp.Options.Steps} full-batch AdamW steps, lr {lp.Options.Lr}): top1 {100 * lp.Val.Top1:F2} top5 {100 * lp.Val.Top5:F2} mean/class {100 * lp.Val.MeanPerClass:F2} (train top1 {100 * lp.TrainTop1:F2}, loss {lp.TrainLoss:F4})"));
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"evaluate: {clock.Elapsed.TotalSeconds:F0} s"));
        }));
        return command;
    }
}
