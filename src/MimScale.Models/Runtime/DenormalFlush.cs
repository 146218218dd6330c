using System.Runtime.InteropServices;
using TorchSharp;

namespace MimScale.Models.Runtime;

/// <summary>
/// Flush-to-zero for float denormals (PyTorch's <c>torch.set_flush_denormal(True)</c>, which TorchSharp 0.107 does not
/// bind). Shifted-window attention adds the official -100 mask before the softmax, so masked probabilities are
/// exp(-100 + ...) ~ 1e-44..1e-38: denormal floats. Every GEMM and elementwise kernel that touches them (attn @ v,
/// softmax backward, the gradients of q and k) then runs on the CPU's slow microcode path. Measured on the 2-core
/// machine, 1 thread: one stage-0 SwinV2-T attention (b8, 192 px, window 12) forward+backward 600 ms -> 230 ms; the
/// whole SimMIM training step 2.7 s -> 2.3 s at initialisation (more later, as the logits spread).
/// Flushing changes values below 1.2e-38 to 0, far under float32 resolution of any output (the fixture parity tests
/// pass with it on).
/// </summary>
/// <remarks>
/// The setting is per thread (the MXCSR register). Threads inherit it when they are created, so call
/// <see cref="Enable"/> once at process start, before the first parallel torch operation creates the OpenMP pool:
/// the pool's workers then inherit it. Calling it later still covers the calling thread.
/// </remarks>
public static class DenormalFlush
{
    /// <summary>
    /// Turns flush-to-zero and denormals-are-zero on for the calling thread; false if the CPU lacks them or libtorch
    /// does not export the setter under its Itanium name (e.g. an MSVC build), in which case nothing changes.
    /// </summary>
    public static bool Enable() => Set(true);

    /// <summary>Turns them off again for the calling thread (the default IEEE behaviour).</summary>
    public static void Disable() => Set(false);

    static bool Set(bool on)
    {
        torch.InitializeDeviceType(DeviceType.CPU);   // loads libtorch_cpu through TorchSharp first
        try { return SetFlushDenormal(on); }
        catch (EntryPointNotFoundException) { return false; }
    }

    // static bool at::Context::setFlushDenormal(bool), exported by libtorch_cpu under its Itanium-mangled name (stable
    // across libtorch 2.x); it sets or clears the DAZ and FTZ bits of MXCSR when cpuinfo reports DAZ support.
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context16setFlushDenormalEb")]
    [return: MarshalAs(UnmanagedType.U1)]
    static extern bool SetFlushDenormal([MarshalAs(UnmanagedType.U1)] bool on);
}
