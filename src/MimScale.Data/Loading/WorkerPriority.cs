using System.Runtime.InteropServices;

namespace MimScale.Data.Loading;

/// <summary>
/// Puts the calling loader thread at the lowest CPU priority (Linux <c>SCHED_IDLE</c>, through glibc's
/// <c>sched_setscheduler(0, ...)</c>, which acts on the calling thread; lowering needs no privilege), so decoding
/// yields a contended core to the training step. Why: with torch's intra-op threads on every core, each parallel
/// region ends at an OpenMP barrier, and a decode thread that takes one core makes the other torch thread spin there
/// (bench/README.md, "Reading the numbers on a shared machine"); at idle priority the decoder runs in the gaps the
/// step leaves (serial dispatch, threads asleep between regions) and between steps, and the prefetch queue hides it.
/// <c>nice</c> would not do: a run started under <c>nice -n 19</c> has no lower nice level to give its decoders.
/// Elsewhere (Windows, macOS, musl) a no-op. The batches do not depend on it: every draw is keyed by sample, not thread.
/// </summary>
internal static partial class WorkerPriority
{
    private const int SchedIdle = 5;   // linux/sched.h

    [LibraryImport("libc.so.6", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, ref int priority);

    [LibraryImport("libc.so.6", EntryPoint = "sched_getscheduler")]
    private static partial int SchedGetScheduler(int pid);

    /// <summary>The calling thread's scheduling policy (0 = SCHED_OTHER, 5 = SCHED_IDLE), -1 off Linux.</summary>
    public static int CurrentPolicy() => OperatingSystem.IsLinux() ? SchedGetScheduler(0) : -1;

    /// <summary>Lowers the calling thread; false when the platform does not allow it (then nothing changed).</summary>
    public static bool LowerCurrentThread()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            int priority = 0;   // struct sched_param { int sched_priority; }: must be 0 for SCHED_IDLE
            return SchedSetScheduler(0, SchedIdle, ref priority) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }
}
