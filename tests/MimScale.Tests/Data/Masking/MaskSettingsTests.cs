using MimScale.Data.Masking;

namespace MimScale.Tests.Data.Masking;

/// <summary>Every check of a mask setting lives in <see cref="MaskSettings"/>; messages name the YAML key.</summary>
public class MaskSettingsTests
{
    [Fact]
    public void TheDefaultIsThePapersRatioAndMaskPatch()
    {
        var d = new MaskSettings();
        Assert.Equal((0.6, 32), (d.Ratio, d.PatchSize));
        Assert.Equal(22, new MaskGenerator(192, 4, d).MaskCount);   // ceil(36 * 0.6)
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void ARatioOutsideTheOpenUnitIntervalIsRejectedNamingTheKey(double ratio)
    {
        var e = Assert.Throws<ArgumentException>(() => new MaskSettings(ratio, 32));
        Assert.Equal($"mask_ratio must be in (0, 1), got {ratio}", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-8)]
    public void ANonPositiveMaskPatchIsRejectedNamingTheKey(int patch)
    {
        var e = Assert.Throws<ArgumentException>(() => new MaskSettings(0.6, patch));
        Assert.Equal($"mask_patch_size must be positive, got {patch}", e.Message);
    }

    [Theory]
    [InlineData(32, 8, 2, null)]
    [InlineData(36, 8, 2, "img_size 36 is not divisible by mask_patch_size 8")]
    [InlineData(32, 8, 3, "mask_patch_size 8 is not a multiple of the model patch_size 3")]
    [InlineData(32, 8, 0, "img_size (32) and the model patch_size (0) must be positive")]
    public void CheckFitsNeedsMaskPatchesThatTileTheImageAndCoverWholeTokens(int image, int patch, int modelPatch, string? message)
    {
        var settings = new MaskSettings(0.6, patch);
        if (message is null) settings.CheckFits(image, modelPatch);
        else Assert.Equal(message, Assert.Throws<ArgumentException>(() => settings.CheckFits(image, modelPatch)).Message);
    }
}
