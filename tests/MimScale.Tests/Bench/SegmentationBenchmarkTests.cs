using System.Text.RegularExpressions;
using MimScale.Bench;

namespace MimScale.Tests.Bench;

/// <summary>`bench segment`: both measurements are reported, against one two-sided matmul peak.</summary>
public class SegmentationBenchmarkTests
{
    [Fact]
    public void TrainAndSlideAreReportedAgainstTheBetterOfThePeaksAroundThem()
    {
        var output = new StringWriter();
        SegmentationBenchmark.Run(new SegmentationBenchOptions(Batch: 2, Crop: 32, Window: 4, Channels: 16, AuxChannels: 8, Image: 48,
            Stride: 16, Steps: 1, Warmup: 0, Threads: 1), output);
        var text = output.ToString();
        Assert.Contains("bench segment: UPerNet 16 ch (aux 8) on swinv2-pico crop=32 window=4 classes=11 threads=1", text);
        Assert.Contains("slide: 48x48 images, crop 32, stride 16: 4 crops per image", text);   // 2 x 2 crops
        var peak = Regex.Match(text, @"matmul peak GFLOP/s=([0-9.]+) \(before ([0-9.]+), after ([0-9.]+); the better counts\)");
        Assert.True(peak.Success, text);
        double best = double.Parse(peak.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        double before = double.Parse(peak.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        double after = double.Parse(peak.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Math.Max(before, after), best, 2);
        foreach (var (name, batch) in new[] { ("train", 2), ("slide", 1) })
        {
            var line = Regex.Match(text, $@"  {name}: batch={batch} steps=1 \(after 0 warm-up\) step_ms=[0-9.]+ images/s=([0-9.]+) GFLOP/image=([0-9.]+) achieved GFLOP/s=([0-9.]+) MFU=([0-9.]+)%");
            Assert.True(line.Success, $"{name}: {text}");
            double ips = double.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            double gflop = double.Parse(line.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            double mfu = double.Parse(line.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(ips > 0 && gflop > 0);
            Assert.Equal(100 * ips * gflop / best, mfu, 0.2);   // the MFU is against the reported peak (rounding of the printed numbers)
        }
    }
}
