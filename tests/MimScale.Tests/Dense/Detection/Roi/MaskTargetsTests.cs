using MimScale.Dense.Detection.Roi;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Roi;

public class MaskTargetsTests
{
    [Fact]
    public void ProposalsCropTheirAssignedMaskByRoiAlignAndBinarise()
    {
        using var scope = NewDisposeScope();
        // gt 0: left half of an 8x8 image; gt 1: the top-left 2x2 pixels.
        var masks = zeros(new long[] { 2, 8, 8 }, ScalarType.Byte);
        masks[0, .., ..4] = ones(8, 4, ScalarType.Byte);
        masks[1, ..2, ..2] = ones(2, 2, ScalarType.Byte);
        // Proposal [0, 0, 8, 8] on gt 0 at 4x4: 2x2 samples per bin at x = 0, 1 | 2, 3 | 4, 5 | 6, 7 (aligned shift -0.5)
        // -> columns 1, 1, 0, 0. Proposal [-4, -4, 12, 12] (clipped to [0, 0, 8, 8]) on gt 1 -> the top-left bin only.
        var proposals = tensor(new float[] { 0, 0, 8, 8, -4, -4, 12, 12 }).view(2, 4);
        var t = MaskTargets.Compute(proposals, tensor(new long[] { 0, 1 }), masks, 4);
        Assert.Equal(new float[] { 1, 1, 0, 0 }, t[0, 2].data<float>().ToArray());
        Assert.Equal(new float[] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, t[1].reshape(-1).data<float>().ToArray());
    }
}
