using MimScale.Data.Random;

namespace MimScale.Data.Masking;

/// <summary>
/// SimMIM's random masking (SPEC §3.1, official <c>MaskGenerator</c>): the image is cut into
/// (InputSize/MaskPatchSize)^2 mask patches, exactly ceil(ratio * count) of them are masked, chosen as the first
/// entries of a uniform random permutation; each mask patch is then repeated (MaskPatchSize/ModelPatchSize) times
/// along both axes, giving a mask at model-patch (token) granularity, 1 = masked.
/// Example: 192/32/4/0.6 gives 22 of 36 masked patches and a (48, 48) mask.
/// </summary>
public sealed class MaskGenerator
{
    /// <summary>Image side in pixels.</summary>
    public int InputSize { get; }
    /// <summary>Side of one mask patch in pixels.</summary>
    public int MaskPatchSize { get; }
    /// <summary>Side of one model (token) patch in pixels.</summary>
    public int ModelPatchSize { get; }
    /// <summary>Fraction of mask patches masked.</summary>
    public double MaskRatio { get; }
    /// <summary>Mask patches per side (InputSize / MaskPatchSize).</summary>
    public int RandSize { get; }
    /// <summary>Tokens per mask patch side (MaskPatchSize / ModelPatchSize).</summary>
    public int Scale { get; }
    /// <summary>Mask patches in total (RandSize^2).</summary>
    public int TokenCount { get; }
    /// <summary>Masked mask patches: ceil(TokenCount * MaskRatio).</summary>
    public int MaskCount { get; }
    /// <summary>Side of the output mask (InputSize / ModelPatchSize).</summary>
    public int OutputSize => RandSize * Scale;

    /// <summary>Validates divisibility and the ratio (clear errors, at construction).</summary>
    public MaskGenerator(int inputSize = 192, int maskPatchSize = 32, int modelPatchSize = 4, double maskRatio = 0.6)
    {
        if (inputSize <= 0 || maskPatchSize <= 0 || modelPatchSize <= 0)
            throw new ArgumentException($"mask generator sizes must be positive (input {inputSize}, mask patch {maskPatchSize}, model patch {modelPatchSize})");
        if (inputSize % maskPatchSize != 0)
            throw new ArgumentException($"input size {inputSize} is not divisible by the mask patch size {maskPatchSize}");
        if (maskPatchSize % modelPatchSize != 0)
            throw new ArgumentException($"mask patch size {maskPatchSize} is not divisible by the model patch size {modelPatchSize}");
        if (!(maskRatio >= 0 && maskRatio <= 1)) throw new ArgumentException($"mask ratio {maskRatio} must be in [0, 1]");
        InputSize = inputSize;
        MaskPatchSize = maskPatchSize;
        ModelPatchSize = modelPatchSize;
        MaskRatio = maskRatio;
        RandSize = inputSize / maskPatchSize;
        Scale = maskPatchSize / modelPatchSize;
        TokenCount = RandSize * RandSize;
        // ceil on the double product as numpy's np.ceil(token_count * mask_ratio) does.
        MaskCount = (int)Math.Ceiling(TokenCount * maskRatio);
    }

    /// <summary>Elements of one output mask (OutputSize^2).</summary>
    public int OutputLength => OutputSize * OutputSize;

    /// <summary>Writes one mask, row-major (OutputSize, OutputSize), into <paramref name="mask"/>.</summary>
    public void Generate(ref DataRng rng, Span<long> mask)
    {
        if (mask.Length < OutputLength) throw new ArgumentException($"mask span needs {OutputLength} elements", nameof(mask));
        Span<int> perm = TokenCount <= 1024 ? stackalloc int[TokenCount] : new int[TokenCount];
        for (int i = 0; i < perm.Length; i++) perm[i] = i;
        rng.Shuffle(perm);
        Span<byte> coarse = TokenCount <= 1024 ? stackalloc byte[TokenCount] : new byte[TokenCount];
        coarse.Clear();
        for (int k = 0; k < MaskCount; k++) coarse[perm[k]] = 1;
        int side = OutputSize;
        for (int y = 0; y < side; y++)
        {
            int cy = y / Scale;
            var row = mask.Slice(y * side, side);
            for (int x = 0; x < side; x++) row[x] = coarse[cy * RandSize + x / Scale];
        }
    }

    /// <summary>Convenience: one mask as a new array, (OutputSize, OutputSize).</summary>
    public long[,] Generate(ref DataRng rng)
    {
        var flat = new long[OutputLength];
        Generate(ref rng, flat);
        var result = new long[OutputSize, OutputSize];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(long));
        return result;
    }
}
