namespace MimScale.Analysis.Plots;

/// <summary>
/// Finds a TrueType font for plot text. The SkiaSharp native build used here (NoDependencies) has no fontconfig, so
/// without an explicitly registered file ScottPlot renders no text at all. Looked up once per process: the path in
/// the MIMSCALE_PLOT_FONT environment variable, then common Linux/macOS/Windows locations.
/// </summary>
internal static class PlotFonts
{
    /// <summary>Family name under which the font is registered with ScottPlot.</summary>
    public const string Family = "MimScale Sans";

    private static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
        "/Library/Fonts/Arial.ttf",
        "/System/Library/Fonts/Supplemental/Arial.ttf",
        @"C:\Windows\Fonts\arial.ttf",
    ];

    // Registration mutates ScottPlot's process-wide font list, so it happens exactly once (Lazy is thread-safe).
    private static readonly Lazy<string?> Registered = new(Register);

    /// <summary>The font file registered, or null when none was found (plots then have no text).</summary>
    public static string? FontFile => Registered.Value;

    private static string? Register()
    {
        var fromEnv = Environment.GetEnvironmentVariable("MIMSCALE_PLOT_FONT");
        var path = new[] { fromEnv }.Concat(Candidates).FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
        if (path is null) return null;
        ScottPlot.Fonts.AddFontFile(Family, path, false, false);
        ScottPlot.Fonts.AddFontFile(Family, path, true, false); // same file for bold titles: better than no text
        return path;
    }
}
