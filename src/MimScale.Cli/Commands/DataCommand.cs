using System.CommandLine;
using System.Globalization;
using MimScale.Data.Sources;
using MimScale.Data.Subsets;

namespace MimScale.Cli.Commands;

/// <summary>`mimscale data`: dataset subsets (the paper's data axis) and their statistics.</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Dataset subsets and statistics.");
        command.Subcommands.Add(Subset());
        command.Subcommands.Add(Stats());
        command.Subcommands.Add(Scenes());
        command.Subcommands.Add(Synthetic());
        return command;
    }

    private static Command Subset()
    {
        var source = new Option<string>("--source") { Description = "Source: folder (ImageNet layout), fashion-mnist[:DIR][@train|@test], flat:DIR, list:FILE.", Required = true };
        var fractions = new Option<string?>("--fractions") { Description = "Comma-separated class-balanced fractions, e.g. 0.1,0.2,0.5,1.0 (nested)." };
        var classes = new Option<int?>("--classes") { Description = "Also write a class subset of this many random classes (IN100-like)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the subset draw.", DefaultValueFactory = _ => 0UL };
        var output = new Option<string>("--out") { Description = "Output folder for the manifests.", Required = true };
        var cmd = new Command("subset", "Write nested class-balanced fraction manifests (and optionally a class subset) with their SHA-256.")
        {
            source, fractions, classes, seed, output,
        };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string outDir = parse.GetValue(output)!;
            ulong s = parse.GetValue(seed);
            var fr = parse.GetValue(fractions);
            int? k = parse.GetValue(classes);
            if (fr is null && k is null)
            {
                Console.Error.WriteLine("give --fractions and/or --classes");
                return 2;
            }
            // Undecodable images are listed and left out of every manifest.
            var scan = DecodeScan.Run(ImageSources.Open(parse.GetValue(source)!));
            Console.WriteLine(scan.Summary());
            var src = scan.Decodable;
            Directory.CreateDirectory(outDir);
            if (fr is not null)
            {
                var values = fr.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                var manifests = SubsetSampler.ClassBalancedFractions(src, values, s);
                for (int i = 0; i < values.Length; i++)
                    Write(manifests[i], Path.Combine(outDir, string.Create(CultureInfo.InvariantCulture, $"fraction-{values[i]:0.###}-seed{s}.manifest.tsv")));
            }
            if (k is int kk)
                Write(SubsetSampler.ClassSubset(src, kk, s), Path.Combine(outDir, string.Create(CultureInfo.InvariantCulture, $"classes-{kk}-seed{s}.manifest.tsv")));
            return 0;
        }));
        return cmd;
    }

    private static Command Scenes()
    {
        var output = new Option<string>("--out") { Description = "Output folder (ADE20K layout + COCO instances json).", Required = true };
        var images = new Option<int>("--images") { Description = "Number of scenes in all (training + validation).", Required = true };
        var size = new Option<int>("--size") { Description = "Canvas side in pixels.", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Seed; equal arguments give byte-identical files.", DefaultValueFactory = _ => 0UL };
        var val = new Option<int?>("--split-val") { Description = "How many of the scenes are validation scenes (default a tenth)." };
        var fmnist = new Option<string>("--fashion-mnist") { Description = "Fashion-MNIST IDX folder.", DefaultValueFactory = _ => FashionMnist.DebianPath };
        var cmd = new Command("scenes", "Compose Fashion-MNIST items into S x S scenes; write semantic maps (ADE20K layout) and COCO instances.")
        {
            output, images, size, seed, val, fmnist,
        };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            var s = MimScale.Dense.Scenes.SceneDatasetWriter.WriteFashionMnist(parse.GetValue(output)!, parse.GetValue(images), parse.GetValue(val),
                new MimScale.Dense.Scenes.SceneOptions(Size: parse.GetValue(size)), parse.GetValue(seed), parse.GetValue(fmnist)!);
            Console.WriteLine($"scenes: {s.TrainingImages} training ({s.TrainingInstances} instances), {s.ValidationImages} validation ({s.ValidationInstances} instances), {s.NumClasses} classes with background");
        }));
        return cmd;
    }

    private static Command Synthetic()
    {
        var output = new Option<string>("--out") { Description = "Output folder (ImageNet layout: class_000/img_0000.jpg ...).", Required = true };
        var classes = new Option<int>("--classes") { Description = "Number of class folders.", DefaultValueFactory = _ => 4 };
        var perClass = new Option<int>("--per-class") { Description = "Images per class.", DefaultValueFactory = _ => 125 };
        var size = new Option<string>("--size") { Description = "WIDTHxHEIGHT in pixels.", DefaultValueFactory = _ => "500x375" };
        var format = new Option<string>("--format") { Description = "jpeg or png.", DefaultValueFactory = _ => "jpeg" };
        var quality = new Option<int>("--quality") { Description = "JPEG quality (1-100).", DefaultValueFactory = _ => 90 };
        var seed = new Option<ulong>("--seed") { Description = "Seed; equal arguments give byte-identical files.", DefaultValueFactory = _ => 0UL };
        var cmd = new Command("synthetic", "Write a folder of synthetic images (gradients and blocks) to time loading and training end to end without a dataset.")
        {
            output, classes, perClass, size, format, quality, seed,
        };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string sz = parse.GetValue(size)!;
            var wh = sz.Split('x');
            if (wh.Length != 2 || !int.TryParse(wh[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
                || !int.TryParse(wh[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h) || w < 1 || h < 1)
                throw new ArgumentException($"--size '{sz}': give WIDTHxHEIGHT, e.g. 500x375");
            var fmt = parse.GetValue(format) switch
            {
                "jpeg" or "jpg" => SkiaSharp.SKEncodedImageFormat.Jpeg,
                "png" => SkiaSharp.SKEncodedImageFormat.Png,
                var f => throw new ArgumentException($"--format '{f}': use jpeg or png"),
            };
            int c = parse.GetValue(classes), k = parse.GetValue(perClass), q = parse.GetValue(quality);
            if (c < 1 || k < 1) throw new ArgumentException($"--classes {c} and --per-class {k} must be at least 1");
            if (q is < 1 or > 100) throw new ArgumentException($"--quality {q} must be in 1..100");
            string root = SyntheticImageFolder.Write(parse.GetValue(output)!, c, k, w, h, parse.GetValue(seed), fmt, q);
            long bytes = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"synthetic: {c * k} images of {w}x{h} in {c} classes, {bytes / 1e6:F1} MB in {root} (source folder:{root})"));
        }));
        return cmd;
    }

    private static void Write(Manifest m, string path)
    {
        m.Save(path);
        var st = DatasetStats.Of(m);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(path)}  images {st.Images}  classes {st.Classes}  per class {st.MinPerClass}/{st.MeanPerClass:F1}/{st.MaxPerClass}  sha256 {m.Hash}"));
    }

    private static Command Stats()
    {
        // A source's statistics count only the images that decode (each is decoded once; bad ones are listed).
        var source = new Option<string?>("--source") { Description = "Source to describe." };
        var manifest = new Option<string?>("--manifest") { Description = "Manifest file to describe." };
        var cmd = new Command("stats", "Print classes, images and images per class (min/mean/max), as in the paper's Table 2.") { source, manifest };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            var src = parse.GetValue(source);
            var man = parse.GetValue(manifest);
            if ((src is null) == (man is null))
            {
                Console.Error.WriteLine("give exactly one of --source or --manifest");
                return 2;
            }
            if (man is not null)
            {
                var m = Manifest.Load(man);
                Console.WriteLine(DatasetStats.Of(m).ToTable(Path.GetFileName(man)));
                Console.WriteLine($"sha256 {m.Hash}");
            }
            else
            {
                var scan = DecodeScan.Run(ImageSources.Open(src!));
                Console.WriteLine(scan.Summary());
                Console.WriteLine(DatasetStats.Of(scan.Decodable).ToTable(src!));
            }
            return 0;
        }));
        return cmd;
    }
}
