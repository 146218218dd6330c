using MimScale.Models.SwinV2;
using TorchSharp;

namespace MimScale.Tests.Models;

/// <summary>Flush-to-zero: denormal products become 0 while on, and the official parity still holds.</summary>
public class DenormalFlushTests
{
    // 1e-39 is below the smallest normal float32 (1.18e-38): a denormal.
    static float DenormalProduct() => (torch.tensor(new[] { 1e-39f }) * torch.tensor(new[] { 2f })).item<float>();

    [Fact]
    public void EnableFlushesDenormalsOnThisThreadAndDisableRestoresThem()
    {
        Assert.Equal(2e-39f, DenormalProduct());
        try
        {
            Assert.True(DenormalFlush.Enable());
            Assert.Equal(0f, DenormalProduct());
        }
        finally { DenormalFlush.Disable(); }
        Assert.Equal(2e-39f, DenormalProduct());
    }

    [Fact]
    public void SimMimStillMatchesTheOfficialLossAndGradientsWithFlushOn()
    {
        try
        {
            DenormalFlush.Enable();
            new FixtureParityTests().SimMimMatchesOfficialEncoderDecoderLossesAndGradients("model.safetensors");
        }
        finally { DenormalFlush.Disable(); }
    }
}
