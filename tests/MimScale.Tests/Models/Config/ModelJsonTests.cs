using MimScale.Models.Config;

namespace MimScale.Tests.Models.Config;

/// <summary>The JSON model reader words a wrong type like the YAML configs: file, key, expected, got.</summary>
public class ModelJsonTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mimscale-modeljson-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(string json)
    {
        string path = Path.Combine(dir, "model.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Theory]
    [InlineData("""{"embed_dim": "ten"}""", "embed_dim: expected an integer, got 'ten'")]
    [InlineData("""{"embed_dim": 9.5}""", "embed_dim: expected an integer, got '9.5'")]
    [InlineData("""{"mlp_ratio": [4]}""", "mlp_ratio: expected a number, got an array")]
    [InlineData("""{"qkv_bias": "yes"}""", "qkv_bias: expected true or false, got 'yes'")]
    [InlineData("""{"depths": 2}""", "depths: expected a list of integers, got '2'")]
    [InlineData("""{"depths": [2, "two"]}""", "depths[1]: expected an integer, got 'two'")]
    [InlineData("""{"num_heads": {"a": 1}}""", "num_heads: expected a list of integers, got an object")]
    public void AWrongTypeNamesTheFileAndTheKey(string json, string problem)
    {
        string path = Write(json);
        Assert.Equal($"{path}: {problem}", Assert.Throws<InvalidDataException>(() => ModelJson.ReadSwinV2(path)).Message);
    }

    [Fact]
    public void SimMimKeysAreCheckedTheSameWay()
    {
        string path = Write("""{"img_size": 64, "patch_size": 4, "embed_dim": 8, "depths": [2,2,2,2], "num_heads": [1,2,4,8], "window_size": 4, "mask_ratio": "most"}""");
        Assert.Equal($"{path}: mask_ratio: expected a number, got 'most'", Assert.Throws<InvalidDataException>(() => ModelJson.ReadSimMim(path)).Message);
    }

    [Fact]
    public void ASimMimJsonHandsItsMaskKeysOnAsWrittenWithTheOfficialDefaults()
    {
        const string Model = "\"img_size\": 64, \"patch_size\": 4, \"embed_dim\": 8, \"depths\": [2,2,2,2], \"num_heads\": [1,2,4,8], \"window_size\": 4";
        string path = Write("{" + Model + """, "mask_patch_size": 16, "mask_ratio": 0.75}""");
        var file = ModelJson.ReadSimMim(path);
        Assert.Equal((path, 16, 0.75, 64), (file.Path, file.MaskPatchSize, file.MaskRatio, file.Model.Encoder.ImgSize[0]));
        // Out-of-range values are the data side's to refuse (MaskSettings, when masks are drawn): the model reads without them.
        var odd = ModelJson.ReadSimMim(Write("{" + Model + """, "mask_ratio": 1.5}"""));
        Assert.Equal((32, 1.5), (odd.MaskPatchSize, odd.MaskRatio));
        var plain = ModelJson.ReadSimMim(Write("{" + Model + "}"));
        Assert.Equal((32, 0.6), (plain.MaskPatchSize, plain.MaskRatio));
    }
}
