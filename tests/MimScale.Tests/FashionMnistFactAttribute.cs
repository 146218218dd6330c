using MimScale.Data.Sources;

namespace MimScale.Tests;

/// <summary>
/// A fact that needs the real Fashion-MNIST files (Debian's dataset-fashion-mnist package): reported as skipped, with
/// the reason, when they are absent, instead of failing. xunit 2 has no skip at run time, but a FactAttribute whose
/// Skip is set when the test is discovered does exactly that.
/// </summary>
/// <remarks>tests/MimScale.Tests/Dense/Scenes has the same attribute for its own namespace; the two can become one.</remarks>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!FashionMnist.LooksLikeIdxFolder(FashionMnist.DebianPath))
            Skip = $"needs Fashion-MNIST in {FashionMnist.DebianPath} (apt-get install dataset-fashion-mnist)";
    }
}
