using System.CommandLine;
using MimScale.Bench;

namespace MimScale.Cli.Commands;

/// <summary>`mimscale bench forward|train|gemm|loader|segment|detect|coco-eval`: benchmarks that print numbers (never pass/fail).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure throughput (images/s) and model-FLOPs utilisation.");
        foreach (var mode in new[] { "forward", "train" })
        {
            var m = ModelArgs.Create();
            var steps = new Option<int>("--steps") { Description = "Timed steps", DefaultValueFactory = _ => 10 };
            var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps", DefaultValueFactory = _ => 3 };
            var targets = new Option<int?>("--norm-target-window") { Description = "train: SimMIM targets, 0 = raw pixels (the official default), odd K >= 3 = normalised over K x K (the paper's 47); default: the model's" };
            var perParameter = new Option<bool>("--per-parameter-adamw") { Description = "train: AdamW without flat buffers (one update per parameter), to measure what they save" };
            var unfused = new Option<bool>("--unfused-adamw") { Description = "train: AdamW op by op instead of libtorch's fused kernel, to measure what the kernel saves" };
            var sub = new Command(mode, mode == "forward" ? "Classifier forward pass (eval, no grad)." : "SimMIM training step: forward, backward, clip, AdamW.");
            m.AddTo(sub);
            foreach (var o in new Option[] { steps, warmup }) sub.Options.Add(o);
            if (mode == "train") { sub.Options.Add(perParameter); sub.Options.Add(unfused); sub.Options.Add(targets); }
            sub.SetAction(r =>
            {
                var opts = new ModelBenchOptions(r.GetValue(m.Model)!, r.GetValue(m.Batch), r.GetValue(m.Img), r.GetValue(m.Window),
                    r.GetValue(steps), r.GetValue(warmup), r.GetValue(m.Threads), FlatAdamW: !r.GetValue(perParameter),
                    FusedAdamW: !r.GetValue(unfused),
                    NormTargetWindow: mode == "train" ? r.GetValue(targets) : null);
                return CliErrors.Run(() => ModelBenchmark.Run(mode, opts, Console.Out));
            });
            command.Subcommands.Add(sub);
        }
        command.Subcommands.Add(GemmCommand());
        command.Subcommands.Add(LoaderCommand());
        command.Subcommands.Add(SegmentCommand());
        command.Subcommands.Add(DetectCommand());
        command.Subcommands.Add(CocoEvalCommand());
        return command;
    }

    static Command GemmCommand()
    {
        var m = ModelArgs.Create();
        var reps = new Option<int>("--reps") { Description = "Timed runs of each product (the best counts)", DefaultValueFactory = _ => 5 };
        var sub = new Command("gemm", "The matrix products of a training step one by one at its shapes (GFLOP/s against the matmul peak).");
        m.AddTo(sub);
        sub.Options.Add(reps);
        sub.SetAction(r => CliErrors.Run(() => GemmBenchmark.Run(new GemmBenchOptions(r.GetValue(m.Model)!, r.GetValue(m.Batch), r.GetValue(m.Img),
            r.GetValue(m.Window), r.GetValue(m.Threads), r.GetValue(reps)), Console.Out)));
        return sub;
    }

    // The model options every model benchmark takes (forward, train, gemm).
    sealed record ModelArgs(Option<string> Model, Option<int> Batch, Option<int?> Img, Option<int?> Window, Option<int> Threads)
    {
        public static ModelArgs Create() => new(
            new Option<string>("--model") { Description = "Zoo name or 'simmim-a' (the fixture configuration)", Required = true },
            new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => 8 },
            new Option<int?>("--img") { Description = "Image size (default: the model's pre-training size)" },
            new Option<int?>("--window") { Description = "Window size (default: the model's)" },
            new Option<int>("--threads") { Description = "Torch threads (0 = default)", DefaultValueFactory = _ => 0 });

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { Model, Batch, Img, Window, Threads }) command.Options.Add(o);
        }
    }

    static Command SegmentCommand()
    {
        var d = new SegmentationBenchOptions();
        var model = new Option<string>("--model") { Description = "Backbone zoo name", DefaultValueFactory = _ => d.Model };
        var batch = new Option<int>("--batch") { Description = "Training batch", DefaultValueFactory = _ => d.Batch };
        var crop = new Option<int>("--crop") { Description = "Crop size (training input and sliding-window crop)", DefaultValueFactory = _ => d.Crop };
        var window = new Option<int?>("--window") { Description = "Backbone window (default 8)", DefaultValueFactory = _ => d.Window };
        var channels = new Option<int>("--channels") { Description = "UPerHead channels (512 in the paper)", DefaultValueFactory = _ => d.Channels };
        var aux = new Option<int>("--aux-channels") { Description = "FCN aux head channels (256 in the paper)", DefaultValueFactory = _ => d.AuxChannels };
        var image = new Option<int>("--image") { Description = "Side of the square images for sliding inference", DefaultValueFactory = _ => d.Image };
        var stride = new Option<int>("--stride") { Description = "Sliding-window stride", DefaultValueFactory = _ => d.Stride };
        var steps = new Option<int>("--steps") { Description = "Timed steps", DefaultValueFactory = _ => d.Steps };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps", DefaultValueFactory = _ => d.Warmup };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0 = default)", DefaultValueFactory = _ => 0 };
        var sub = new Command("segment", "UPerNet training step and sliding-window inference (images/s, MFU).");
        foreach (var o in new Option[] { model, batch, crop, window, channels, aux, image, stride, steps, warmup, threads }) sub.Options.Add(o);
        sub.SetAction(r => CliErrors.Run(() => SegmentationBenchmark.Run(d with
        {
            Model = r.GetValue(model)!,
            Batch = r.GetValue(batch),
            Crop = r.GetValue(crop),
            Window = r.GetValue(window),
            Channels = r.GetValue(channels),
            AuxChannels = r.GetValue(aux),
            Image = r.GetValue(image),
            Stride = r.GetValue(stride),
            Steps = r.GetValue(steps),
            Warmup = r.GetValue(warmup),
            Threads = r.GetValue(threads),
        }, Console.Out)));
        return sub;
    }

    static Command DetectCommand()
    {
        var d = new DetectionBenchOptions();
        var config = new Option<string>("--config") { Description = "A `detect train` config", DefaultValueFactory = _ => d.Config };
        var set = new Option<string[]>("--set") { Description = "Config override key=value (repeatable)", AllowMultipleArgumentsPerToken = false };
        var data = new Option<string?>("--data") { Description = "Scenes folder (default: write --scenes Fashion-MNIST scenes to a temporary folder)" };
        var scenes = new Option<int>("--scenes") { Description = "Scenes written when --data is not given (half training, half validation)", DefaultValueFactory = _ => d.Scenes };
        var run = new Option<string?>("--run") { Description = "A `detect train` run: its config, and its latest weights for the inference pass" };
        var steps = new Option<int>("--steps") { Description = "Timed training steps", DefaultValueFactory = _ => d.Steps };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps", DefaultValueFactory = _ => d.Warmup };
        var infer = new Option<int>("--infer-images") { Description = "Validation images of the inference pass", DefaultValueFactory = _ => d.InferImages };
        var sub = new Command("detect", "Mask R-CNN training step and inference (images/s; no FLOP count).");
        foreach (var o in new Option[] { config, set, data, scenes, run, steps, warmup, infer }) sub.Options.Add(o);
        sub.SetAction(r => CliErrors.Run(() => DetectionBenchmark.Run(d with
        {
            Config = r.GetValue(config)!,
            Overrides = r.GetValue(set) ?? Array.Empty<string>(),
            Data = r.GetValue(data),
            Scenes = r.GetValue(scenes),
            Run = r.GetValue(run),
            Steps = r.GetValue(steps),
            Warmup = r.GetValue(warmup),
            InferImages = r.GetValue(infer),
        }, Console.Out)));
        return sub;
    }

    static Command CocoEvalCommand()
    {
        var d = new CocoEvalBenchOptions();
        var images = new Option<int>("--images") { Description = "Images (COCO val2017: 5000)", DefaultValueFactory = _ => d.Images };
        var dets = new Option<int>("--detections") { Description = "Detections per image", DefaultValueFactory = _ => d.Detections };
        var objects = new Option<int>("--objects") { Description = "Ground-truth objects per image", DefaultValueFactory = _ => d.Objects };
        var cats = new Option<int>("--categories") { Description = "Categories", DefaultValueFactory = _ => d.Categories };
        var sub = new Command("coco-eval", "COCOeval wall time (bbox and segm) on a synthetic COCO-sized set.");
        foreach (var o in new Option[] { images, dets, objects, cats }) sub.Options.Add(o);
        sub.SetAction(r => CliErrors.Run(() => CocoEvalBenchmark.Run(d with
        {
            Images = r.GetValue(images),
            Detections = r.GetValue(dets),
            Objects = r.GetValue(objects),
            Categories = r.GetValue(cats),
        }, Console.Out)));
        return sub;
    }

    static Command LoaderCommand()
    {
        var folder = new Option<string?>("--folder") { Description = "ImageNet-layout folder of JPEGs (default: 200 synthetic 500x375 JPEGs)" };
        var workers = new Option<int>("--workers") { Description = "Decode/augment threads", DefaultValueFactory = _ => 2 };
        var images = new Option<int>("--images") { Description = "JPEG images timed", DefaultValueFactory = _ => 1600 };
        var reference = new Option<bool>("--no-reference") { Description = "Skip the PIL + torchvision reference measurement" };
        var sub = new Command("loader", "Decode + augment throughput of the pre-training transform (JPEG folder at 192 px; Fashion-MNIST at 32 px), with the PIL + torchvision reference.");
        foreach (var o in new Option[] { folder, workers, images, reference }) sub.Options.Add(o);
        sub.SetAction(r =>
        {
            var o = new LoaderBenchOptions { ImageFolder = r.GetValue(folder), Workers = r.GetValue(workers), JpegImages = r.GetValue(images) };
            if (r.GetValue(reference)) o = o with { Python = null };
            LoaderBenchmark.Run(o, Console.Out);
            return 0;
        });
        return sub;
    }
}
