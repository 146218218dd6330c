namespace MimScale.Dense.Scenes;

/// <summary>
/// The items a scene is composed of: square grayscale pictures with a class, e.g. Fashion-MNIST (28x28, 10 classes,
/// background 0). Tests pass small synthetic items so they run without the data package.
/// </summary>
public interface ISceneItems
{
    /// <summary>Number of items.</summary>
    int Count { get; }
    /// <summary>Side of every item in pixels.</summary>
    int Side { get; }
    /// <summary>Class names; an item's class is an index into them.</summary>
    IReadOnlyList<string> ClassNames { get; }
    /// <summary>Class of item <paramref name="index"/>, 0..ClassNames.Count-1.</summary>
    int Label(int index);
    /// <summary>Side*Side grayscale pixels of item <paramref name="index"/>, row-major; 0 is the item's background.</summary>
    ReadOnlySpan<byte> Pixels(int index);
}
