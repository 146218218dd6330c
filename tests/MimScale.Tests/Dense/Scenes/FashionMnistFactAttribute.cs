using MimScale.Data.Sources;

namespace MimScale.Tests.Dense.Scenes;

/// <summary>
/// A fact that is skipped (reported as skipped, not passed) when Debian's dataset-fashion-mnist package is absent:
/// xunit 2 has no runtime skip, but a FactAttribute whose Skip is set at discovery does exactly that.
/// </summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!FashionMnist.LooksLikeIdxFolder(FashionMnist.DebianPath))
            Skip = $"needs Fashion-MNIST in {FashionMnist.DebianPath} (apt-get install dataset-fashion-mnist)";
    }
}
