namespace MimScale.Dense.Coco;

/// <summary>A COCO box <c>[x, y, width, height]</c> in pixels: (x, y) is the top-left corner, no +1 convention.</summary>
public readonly record struct CocoBox(double X, double Y, double Width, double Height)
{
    /// <summary>Width x height, the area pycocotools' loadRes gives a box result.</summary>
    public double Area => Width * Height;

    /// <summary>The four numbers in COCO order.</summary>
    public double[] ToArray() => [X, Y, Width, Height];
}
