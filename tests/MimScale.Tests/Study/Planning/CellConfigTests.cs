using System.Text.Json;
using MimScale.Models.Zoo;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Study.Spec;
using MimScale.Study.Store;
using MimScale.Study.Workers;

namespace MimScale.Tests.Study.Planning;

/// <summary>A cell's recorded model section and its FLOPs come from the trunk's typed engine config, overrides included.</summary>
public class CellConfigTests
{
    private static TrunkGroup Trunk(string pretrainLines) => Assert.Single(StudyPlanner.Plan(StudySpecReader.Parse(
        StudyTestData.Spec(models: "[swinv2-pico]", fractions: "[0.1]").Replace("  batch_size: 8\n", "  batch_size: 8\n" + pretrainLines), "t.yaml"),
        null, "test-1").Trunks);

    private static JsonElement Model(CellPlan cell) => JsonDocument.Parse(cell.ConfigJson).RootElement.GetProperty("model");

    [Fact]
    public void APretrainMapOverrideIsWhatTheCellRecords()
    {
        Assert.Equal(0.1, ModelZoo.Get("swinv2-pico").Pretrain.Encoder.DropPathRate);   // what the zoo entry says
        var trunk = Trunk("  drop_path_rate: 0.0\n  mask_ratio: 0.5\n");
        Assert.Equal(0.0, trunk.Config.ModelOptions().Encoder.DropPathRate);
        Assert.All(trunk.Cells, c => Assert.Equal(0.0, Model(c).GetProperty("drop_path_rate").GetDouble()));
        Assert.All(trunk.Cells, c => Assert.Equal(0.5, Model(c).GetProperty("mask_ratio").GetDouble()));
        Assert.All(trunk.Cells, c => Assert.Equal(8, Model(c).GetProperty("mask_patch_size").GetInt32()));   // the zoo's default
        var plain = Trunk("");
        Assert.All(plain.Cells, c => Assert.Equal(0.1, Model(c).GetProperty("drop_path_rate").GetDouble()));
        Assert.NotEqual(plain.Key, trunk.Key);
        Assert.NotEqual(plain.Cells.Select(c => c.Key), trunk.Cells.Select(c => c.Key));
    }

    [Fact]
    public void AnImageSizeOverrideChangesTheRecordedSizeAndTheFlopsPerIteration()
    {
        var pico = ModelZoo.Get("swinv2-pico").Pretrain;
        var plain = Trunk("");
        var big = Trunk("  img_size: 64\n");
        Assert.All(big.Cells, c => Assert.Equal(new[] { 64, 64 }, Model(c).GetProperty("img_size").EnumerateArray().Select(v => v.GetInt32())));
        // The FLOP counter at each size, times the batch of 8.
        double at32 = ModelCost.SimMimTrainingFlops(pico.Encoder, pico.EncoderStride) * 8;
        double at64 = ModelCost.SimMimTrainingFlops(pico.Encoder with { ImgSize = new[] { 64, 64 } }, pico.EncoderStride) * 8;
        Assert.Equal(at32, plain.Cells[0].FlopsPerIteration);
        Assert.All(big.Cells, c => Assert.Equal(at64, c.FlopsPerIteration));
        // By hand (the official flops() terms summed for pico, x3 for backward, x2 FLOPs per MAC, x8 images): 4x the
        // tokens in every stage, and the last stage's window grows from 2 (clipped to its 2 x 2 grid) to 4.
        Assert.Equal((242_860_032.0, 973_799_424.0), (at32, at64));
        Assert.Equal(big.Cells[0].FlopsPerIteration * big.TotalIterations, big.TotalFlops, 1e-3);
    }
}
