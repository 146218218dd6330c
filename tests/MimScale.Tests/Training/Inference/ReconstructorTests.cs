using MimScale.Models.Config;
using MimScale.Training.Inference;

namespace MimScale.Tests.Training.Inference;

/// <summary>`mimscale reconstruct` draws its masks with the SIMMIM.json's mask keys, checked by the data side.</summary>
public class ReconstructorTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mimscale-reconstructor-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    SimMimJson Model(string maskKeys)
    {
        string path = Path.Combine(dir, "simmim.json");
        File.WriteAllText(path, """{"img_size": 64, "patch_size": 4, "embed_dim": 8, "depths": [2,2,2,2], "num_heads": [1,2,4,8], "window_size": 4, """ + maskKeys + "}");
        return ModelJson.ReadSimMim(path);
    }

    [Theory]
    [InlineData("\"mask_ratio\": 1.5", "mask_ratio must be in (0, 1), got 1.5")]
    [InlineData("\"mask_patch_size\": 24", "img_size 64 is not divisible by mask_patch_size 24")]
    [InlineData("\"mask_patch_size\": 2", "mask_patch_size 2 is not a multiple of the model patch_size 4")]
    public void ABadMaskKeyFailsNamingTheFileBeforeTheCheckpointIsRead(string maskKeys, string problem)
    {
        var file = Model(maskKeys);
        var e = Assert.Throws<InvalidDataException>(() =>
            Reconstructor.Run(file, Path.Combine(dir, "missing.safetensors"), dir, Path.Combine(dir, "out"), null, 0, TextWriter.Null));
        Assert.Equal($"{file.Path}: {problem}", e.Message);
    }
}
