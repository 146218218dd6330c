using MimScale.Build;
using TorchSharp;

namespace MimScale.Models.Runtime;

/// <summary>What the process runs on: TorchSharp/libtorch versions, device, threads, and the native-library patch.</summary>
public sealed record TorchRuntimeInfo(
    string TorchSharpVersion, string LibTorchVersion, string Device, int Threads, string NativeLibrary, string NativePatch);

public static class TorchRuntime
{
    const string GlibcxxVersion = "GLIBCXX_3.4.32";

    /// <summary>Collects the runtime facts; initialises TorchSharp (which fails if the native library was not adapted).</summary>
    public static TorchRuntimeInfo Describe()
    {
        string libtorch = torch.__version__;
        string device = torch.cuda.is_available() ? "cuda" : "cpu";
        string tsVersion = typeof(torch).Assembly.GetName().Version?.ToString() ?? "?";
        var (path, patch) = NativePatchState();
        return new TorchRuntimeInfo(tsVersion, libtorch, device, torch.get_num_threads(), path, patch);
    }

    /// <summary>Where libLibTorchSharp.so sits next to the app, and whether its GLIBCXX_3.4.32 need is weak.</summary>
    public static (string Path, string State) NativePatchState()
    {
        string baseDir = AppContext.BaseDirectory;
        string[] candidates =
        {
            Path.Combine(baseDir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.Combine(baseDir, "libLibTorchSharp.so"),
        };
        foreach (var c in candidates)
        {
            if (!File.Exists(c)) continue;
            var flags = ElfVersionRequirements.GetFlags(File.ReadAllBytes(c), GlibcxxVersion);
            string state = flags == null ? $"not needed (no {GlibcxxVersion} requirement)"
                : (flags.Value & ElfVersionRequirements.VerFlgWeak) != 0 ? $"adapted ({GlibcxxVersion} marked weak)"
                : $"NOT adapted ({GlibcxxVersion} still required)";
            return (c, state);
        }
        return ("(not found next to the application)", "unknown");
    }
}
