using System.Text;
using MimScale.Data.Errors;
using MimScale.Files;

namespace MimScale.Training.Runs;

/// <summary>The images a run skipped, kept in its folder (<c>bad-images.txt</c>) as well as printed.</summary>
public static class BadImageList
{
    public const string FileName = "bad-images.txt";

    /// <summary>Prints and writes the report when there were bad images (a rerun with none leaves an earlier list as it was).</summary>
    public static void Keep(string runDir, BadImageReport report, string prefix, TextWriter log)
    {
        if (report.Count == 0) return;
        log.WriteLine($"{prefix}: {report} (listed in {Path.Combine(runDir, FileName)})");
        var sb = new StringBuilder("# index\tid\treason\n");
        foreach (var b in report.Images) sb.Append(b.Index).Append('\t').Append(b.Id).Append('\t').Append(b.Reason.ReplaceLineEndings(" ")).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(runDir, FileName), sb.ToString());
    }
}
