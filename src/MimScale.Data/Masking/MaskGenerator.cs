using MimScale.Data.Random;

namespace MimScale.Data.Masking;

/// <summary>
/// SimMIM's random masking (SPEC §3.1, official <c>MaskGenerator</c>): the image is cut into
/// (InputSize/PatchSize)^2 mask patches, exactly ceil(ratio * count) of them are masked, chosen as the first
/// entries of a uniform random permutation; each mask patch is then repeated (PatchSize/ModelPatchSize) times
/// along both axes, giving a mask at model-patch (token) granularity, 1 = masked.
/// Example: input 192, model patch 4, mask patch 32, ratio 0.6 gives 22 of 36 masked patches and a (48, 48) mask.
/// </summary>
public sealed class MaskGenerator
{
    /// <summary>Image side in pixels.</summary>
    public int InputSize { get; }
    /// <summary>Side of one model (token) patch in pixels.</summary>
    public int ModelPatchSize { get; }
    /// <summary>Mask ratio and mask patch side.</summary>
    public MaskSettings Settings { get; }
    /// <summary>Mask patches per side (InputSize / mask patch size).</summary>
    public int RandSize { get; }
    /// <summary>Tokens per mask patch side (mask patch size / ModelPatchSize).</summary>
    public int Scale { get; }
    /// <summary>Mask patches in total (RandSize^2).</summary>
    public int TokenCount { get; }
    /// <summary>Masked mask patches: ceil(TokenCount * ratio).</summary>
    public int MaskCount { get; }
    /// <summary>Side of the output mask (InputSize / ModelPatchSize).</summary>
    public int OutputSize => RandSize * Scale;

    /// <summary>Masks of <paramref name="settings"/> for square images of <paramref name="inputSize"/> px cut into model
    /// patches of <paramref name="modelPatchSize"/> px; throws <see cref="ArgumentException"/> unless they fit
    /// (<see cref="MaskSettings.CheckFits"/>).</summary>
    public MaskGenerator(int inputSize, int modelPatchSize, MaskSettings settings)
    {
        settings.CheckFits(inputSize, modelPatchSize);
        InputSize = inputSize;
        ModelPatchSize = modelPatchSize;
        Settings = settings;
        RandSize = inputSize / settings.PatchSize;
        Scale = settings.PatchSize / modelPatchSize;
        TokenCount = RandSize * RandSize;
        // ceil on the double product as numpy's np.ceil(token_count * mask_ratio) does.
        MaskCount = (int)Math.Ceiling(TokenCount * settings.Ratio);
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
