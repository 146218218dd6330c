using MimScale.Dense.Detection.Ops;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Ops;

/// <summary>mmdet's DeltaXYWHBBoxCoder, against its numpy re-statement in generate.py (cross-checked there with torchvision's BoxCoder).</summary>
public class DeltaXywhBoxCoderTests
{
    public static TheoryData<string> Coders => new() { "rcnn", "rpn" };

    static DeltaXywhBoxCoder Coder(string name) => name == "rcnn" ? DeltaXywhBoxCoder.RoiHead : DeltaXywhBoxCoder.Rpn;

    [Theory]
    [MemberData(nameof(Coders))]
    public void EncodeMatchesMmdet(string name)
    {
        using var scope = NewDisposeScope();
        var enc = Coder(name).Encode(OpsFixture.Load("coder_proposals.npy"), OpsFixture.Load("coder_gts.npy"));
        OpsFixture.AssertClose(OpsFixture.Load($"coder_{name}_encoded.npy"), enc);
    }

    [Theory]
    [MemberData(nameof(Coders))]
    public void DecodeOfThreeClassDeltasMatchesMmdetWithClampAndClip(string name)
    {
        using var scope = NewDisposeScope();
        var props = OpsFixture.Load("coder_proposals.npy");                   // [40, 4]
        var deltas = OpsFixture.Load($"coder_{name}_deltas.npy");             // [40, 12]: 3 classes, some |dw| = 9 > 4.135
        var coder = Coder(name);
        OpsFixture.AssertClose(OpsFixture.Load($"coder_{name}_decoded.npy"), coder.Decode(props, deltas, (60, 90)));
        OpsFixture.AssertClose(OpsFixture.Load($"coder_{name}_decoded_noclip.npy"), coder.Decode(props, deltas), rel: 1e-6); // widths up to ~2500 px
    }

    [Theory]
    [MemberData(nameof(Coders))]
    public void DecodeOfEncodeGivesTheTargetsBack(string name)
    {
        using var scope = NewDisposeScope();
        var props = OpsFixture.Load("coder_proposals.npy");
        var gts = OpsFixture.Load("coder_gts.npy");
        var coder = Coder(name);
        OpsFixture.AssertClose(gts, coder.Decode(props, coder.Encode(props, gts)), rel: 1e-6);
    }

    [Fact]
    public void HandComputedDeltasAndTheRatioClamp()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new float[] { 0, 0, 10, 20 }).view(1, 4);               // centre (5, 10), size 10 x 20
        var g = tensor(new float[] { 2, 4, 22, 24 }).view(1, 4);               // centre (12, 14), size 20 x 20
        var d = DeltaXywhBoxCoder.RoiHead.Encode(p, g);
        // ((12-5)/10, (14-10)/20, log 2, log 1) / (0.1, 0.1, 0.2, 0.2)
        Assert.Equal(new[] { 7f, 2f, (float)(Math.Log(2) / 0.2), 0f }, d.data<float>().ToArray(), new FloatTolerance(1e-5f));
        // dw = 100 clamps to log(1000/16): width 10 * 62.5 = 625 around x = 5
        var big = DeltaXywhBoxCoder.Rpn.Decode(p, tensor(new float[] { 0, 0, 100, 0 }).view(1, 4));
        Assert.Equal(new[] { 5 - 312.5f, 0, 5 + 312.5f, 20 }, big.data<float>().ToArray(), new FloatTolerance(1e-3f));
        Assert.Throws<ArgumentException>(() => DeltaXywhBoxCoder.Rpn.Decode(p, zeros(1, 5)));
    }

    sealed class FloatTolerance(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tol;
        public int GetHashCode(float f) => 0;
    }
}
