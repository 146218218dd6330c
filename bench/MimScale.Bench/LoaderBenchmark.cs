using System.Diagnostics;
using System.Globalization;
using MimScale.Data.Loading;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;

namespace MimScale.Bench;

/// <summary>Settings of the loader benchmark (`mimscale bench loader`).</summary>
public sealed record LoaderBenchOptions
{
    /// <summary>ImageNet-layout folder of JPEGs; null = write 200 synthetic 500x375 JPEGs to a temporary folder.</summary>
    public string? ImageFolder { get; init; }
    /// <summary>Synthetic images to generate when no folder is given.</summary>
    public int SyntheticImages { get; init; } = 200;
    /// <summary>Output side of the pre-training transform for the JPEG folder.</summary>
    public int ImageSize { get; init; } = 192;
    /// <summary>Decode/augment worker threads.</summary>
    public int Workers { get; init; } = 2;
    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Images timed on the JPEG folder (after one warm-up batch).</summary>
    public int JpegImages { get; init; } = 1600;
    /// <summary>Fashion-MNIST folder (null = skip), timed at <see cref="FashionMnistImageSize"/>.</summary>
    public string? FashionMnist { get; init; } = MimScale.Data.Sources.FashionMnist.DebianPath;
    /// <summary>Output side for Fashion-MNIST (mask patch 8, model patch 4).</summary>
    public int FashionMnistImageSize { get; init; } = 32;
    /// <summary>Images timed on Fashion-MNIST.</summary>
    public int FashionMnistImages { get; init; } = 30000;
    /// <summary>Python interpreter with PIL + torchvision for the reference measurement (null = skip).</summary>
    public string? Python { get; init; } = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    /// <summary>Path of bench/loader_reference.py (null = look for it above the working folder).</summary>
    public string? ReferenceScript { get; init; }
}

/// <summary>
/// Decode + augment throughput of the SimMIM pre-training input pipeline (images/s, tensors included), on a JPEG
/// folder and on Fashion-MNIST, next to the PIL + torchvision DataLoader doing the same work (bench/loader_reference.py).
/// Reports numbers only; nothing here passes or fails.
/// </summary>
public static class LoaderBenchmark
{
    public static void Run(LoaderBenchOptions o, TextWriter output)
    {
        string? temp = null;
        try
        {
            string folder = o.ImageFolder ?? (temp = Path.Combine(Path.GetTempPath(), "mimscale-loaderbench-" + Environment.ProcessId));
            if (o.ImageFolder is null)
            {
                output.WriteLine($"writing {o.SyntheticImages} synthetic 500x375 JPEGs to {folder}");
                SyntheticImageFolder.Write(folder, classes: 4, perClass: (o.SyntheticImages + 3) / 4, width: 500, height: 375, seed: 0);
            }
            var jpeg = ImageFileSource.FromImageFolder(folder);
            var t = new SimMimTransform(new SimMimTransformConfig { ImageSize = o.ImageSize });
            double csJpeg = Measure(jpeg, t, o, o.JpegImages);
            output.WriteLine(Line("mimscale", $"JPEG folder ({jpeg.Count} images) -> {o.ImageSize}px", o.Workers, csJpeg));
            double? pyJpeg = Reference(o, output, "--folder", folder, "--size", o.ImageSize.ToString(CultureInfo.InvariantCulture),
                "--images", o.JpegImages.ToString(CultureInfo.InvariantCulture));
            if (pyJpeg is double pj)
            {
                output.WriteLine(Line("PIL+torchvision", "same", o.Workers, pj));
                output.WriteLine($"ratio mimscale / PIL+torchvision (JPEG): {csJpeg / pj:F2}x");
            }

            if (o.FashionMnist is not null && Directory.Exists(o.FashionMnist))
            {
                var fm = MimScale.Data.Sources.FashionMnist.Open(o.FashionMnist, FashionMnistSplit.Train);
                var tf = new SimMimTransform(new SimMimTransformConfig { ImageSize = o.FashionMnistImageSize, Masks = new(patchSize: 8), ModelPatchSize = 4 });
                double csFm = Measure(fm, tf, o, o.FashionMnistImages);
                output.WriteLine(Line("mimscale", $"Fashion-MNIST -> {o.FashionMnistImageSize}px", o.Workers, csFm));
                double? pyFm = Reference(o, output, "--fashion-mnist", o.FashionMnist, "--size",
                    o.FashionMnistImageSize.ToString(CultureInfo.InvariantCulture), "--images", o.FashionMnistImages.ToString(CultureInfo.InvariantCulture));
                if (pyFm is double pf)
                {
                    output.WriteLine(Line("PIL+torchvision", "same", o.Workers, pf));
                    output.WriteLine($"ratio mimscale / PIL+torchvision (Fashion-MNIST): {csFm / pf:F2}x");
                }
            }
        }
        finally
        {
            if (temp is not null && Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    private static string Line(string who, string what, int workers, double rate) =>
        string.Create(CultureInfo.InvariantCulture, $"{who,-16} {what,-44} workers {workers}  {rate,9:F0} images/s");

    /// <summary>Images per second over <paramref name="images"/> images, after one warm-up batch.</summary>
    public static double Measure(IImageSource source, ISampleTransform transform, LoaderBenchOptions o, int images)
    {
        var options = new LoaderOptions { BatchSize = o.BatchSize, Workers = o.Workers, Prefetch = 2 * o.Workers, Seed = 0 };
        using var loader = new SimMimLoader(source, transform, options);
        loader.Next()!.Dispose();
        int batches = Math.Max(1, images / o.BatchSize);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++) loader.Next()!.Dispose();
        return batches * o.BatchSize / sw.Elapsed.TotalSeconds;
    }

    private static double? Reference(LoaderBenchOptions o, TextWriter output, params string[] args)
    {
        if (o.Python is null) return null;
        string? script = o.ReferenceScript ?? FindScript();
        if (script is null)
        {
            output.WriteLine("reference: bench/loader_reference.py not found (give ReferenceScript)");
            return null;
        }
        var psi = new ProcessStartInfo(o.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--workers");
        psi.ArgumentList.Add(o.Workers.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add("--batch");
        psi.ArgumentList.Add(o.BatchSize.ToString(CultureInfo.InvariantCulture));
        try
        {
            using var p = Process.Start(psi)!;
            string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("images/s ", StringComparison.Ordinal));
            if (p.ExitCode != 0 || line is null)
            {
                output.WriteLine($"reference failed (exit {p.ExitCode}): {stderr.Trim().Split('\n').LastOrDefault()}");
                return null;
            }
            return double.Parse(line["images/s ".Length..], CultureInfo.InvariantCulture);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            output.WriteLine($"reference skipped: cannot start {o.Python}: {e.Message}");
            return null;
        }
    }

    private static string? FindScript()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, "bench", "loader_reference.py");
                if (File.Exists(p)) return p;
            }
        return null;
    }
}
