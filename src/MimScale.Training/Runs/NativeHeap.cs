using System.Runtime.InteropServices;

namespace MimScale.Training.Runs;

/// <summary>
/// Gives freed native heap memory back to the operating system. libtorch allocates tensor storage with malloc; glibc
/// keeps freed blocks (and, after the first large frees, raises its mmap threshold so later large blocks come from the
/// heap too), so resident memory climbs to a high-water mark set by the largest transient (a validation pass, a
/// checkpoint write) and stays there although nothing is live. <c>malloc_trim(0)</c> releases it; runs call it at a log
/// line at most once a minute (<see cref="RunSession.CloseInterval"/>), so the resident memory they report is what is
/// really in use without making every interval's next step fault its memory back in.
/// A no-op where glibc is not the C library.
/// </summary>
public static class NativeHeap
{
    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    static bool Unavailable = !OperatingSystem.IsLinux();

    /// <summary>Returns free heap pages to the OS; true when glibc did release something.</summary>
    public static bool Trim()
    {
        if (Unavailable) return false;
        try { return MallocTrim(0) != 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { Unavailable = true; return false; }
    }
}
