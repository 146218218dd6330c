using MimScale.Data.Sources;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// An 8-bit RGB image, row-major interleaved (<c>Pixels[(y * Width + x) * 3 + c]</c>): what mmseg's pipeline holds
/// between loading and normalisation (a uint8 HWC array). Geometry follows OpenCV, mmcv's default backend.
/// </summary>
public sealed class RgbImage
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>Height*Width*3 bytes, R, G, B.</summary>
    public byte[] Pixels { get; }

    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"an image needs positive sizes, got {width}x{height}");
        if (pixels.Length != (long)width * height * 3) throw new ArgumentException($"{pixels.Length} bytes for a {width}x{height} RGB image");
        Width = width; Height = height; Pixels = pixels;
    }

    /// <summary>Decodes a file (JPEG/PNG; grayscale replicated, alpha dropped, as PIL's convert("RGB")).</summary>
    public static RgbImage Load(string path)
    {
        using var d = ImageDecoder.DecodeFile(path);
        var rgb = new byte[d.Width * d.Height * 3];
        var src = d.Pixels;
        for (int i = 0, n = d.Width * d.Height; i < n; i++)
            if (d.Channels == 1) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = src[i];
            else { rgb[3 * i] = src[4 * i]; rgb[3 * i + 1] = src[4 * i + 1]; rgb[3 * i + 2] = src[4 * i + 2]; }
        return new RgbImage(d.Width, d.Height, rgb);
    }

    /// <summary>
    /// cv2.resize INTER_LINEAR geometry (mmcv imresize 'bilinear'): source coordinate (d + 0.5) * src/dst - 0.5,
    /// clamped to the border, no antialiasing; float weights, rounded to nearest (OpenCV uses 11-bit fixed-point
    /// weights, so a channel may differ from cv2 by one level).
    /// </summary>
    public RgbImage ResizeBilinear(int newWidth, int newHeight)
    {
        if (newWidth == Width && newHeight == Height) return new RgbImage(Width, Height, (byte[])Pixels.Clone());
        var (x0, x1, fx) = Taps(Width, newWidth);
        var (y0, y1, fy) = Taps(Height, newHeight);
        var dst = new byte[newWidth * newHeight * 3];
        for (int y = 0; y < newHeight; y++)
        {
            int r0 = y0[y] * Width, r1 = y1[y] * Width;
            double wy = fy[y];
            for (int x = 0; x < newWidth; x++)
            {
                double wx = fx[x];
                for (int c = 0; c < 3; c++)
                {
                    double top = Pixels[(r0 + x0[x]) * 3 + c] * (1 - wx) + Pixels[(r0 + x1[x]) * 3 + c] * wx;
                    double bottom = Pixels[(r1 + x0[x]) * 3 + c] * (1 - wx) + Pixels[(r1 + x1[x]) * 3 + c] * wx;
                    dst[(y * newWidth + x) * 3 + c] = (byte)Math.Clamp(Math.Round(top * (1 - wy) + bottom * wy, MidpointRounding.AwayFromZero), 0, 255);
                }
            }
        }
        return new RgbImage(newWidth, newHeight, dst);
    }

    // Per output index: the two source indices and the weight of the second (cv2 resize's border rule).
    static (int[] I0, int[] I1, double[] F) Taps(int src, int dst)
    {
        var i0 = new int[dst]; var i1 = new int[dst]; var f = new double[dst];
        double scale = (double)src / dst;
        for (int d = 0; d < dst; d++)
        {
            double s = (d + 0.5) * scale - 0.5;
            int lo = (int)Math.Floor(s);
            double w = s - lo;
            if (lo < 0) { lo = 0; w = 0; }
            if (lo >= src - 1) { lo = src - 1; w = 0; }
            i0[d] = lo; i1[d] = Math.Min(lo + 1, src - 1); f[d] = w;
        }
        return (i0, i1, f);
    }

    /// <summary>Rows [y1, y2) and columns [x1, x2) (numpy img[y1:y2, x1:x2]).</summary>
    public RgbImage Crop(int y1, int y2, int x1, int x2)
    {
        int w = x2 - x1, h = y2 - y1;
        var dst = new byte[w * h * 3];
        for (int y = 0; y < h; y++) Array.Copy(Pixels, ((y1 + y) * Width + x1) * 3, dst, y * w * 3, w * 3);
        return new RgbImage(w, h, dst);
    }

    /// <summary>Mirror left-right (mmcv imflip 'horizontal').</summary>
    public RgbImage FlipHorizontal()
    {
        var dst = new byte[Pixels.Length];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                for (int c = 0; c < 3; c++) dst[(y * Width + x) * 3 + c] = Pixels[(y * Width + Width - 1 - x) * 3 + c];
        return new RgbImage(Width, Height, dst);
    }
}
