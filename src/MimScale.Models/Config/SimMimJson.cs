using MimScale.Models.SimMim;

namespace MimScale.Models.Config;

/// <summary>
/// What a SIMMIM.json says (<see cref="ModelJson.ReadSimMim"/>): the model, and the masking it was pre-trained with as
/// the file's plain numbers (<c>mask_patch_size</c>, <c>mask_ratio</c>; official defaults 32 and 0.6). The model never
/// reads the masking: whoever draws masks turns the numbers into the data side's MaskSettings, which checks them, and
/// names <see cref="Path"/> in the error.
/// </summary>
/// <param name="Path">The file, for error messages.</param>
/// <param name="Model">The SimMIM model it describes (validated).</param>
/// <param name="MaskPatchSize">Mask patch side in pixels, as written (not yet checked).</param>
/// <param name="MaskRatio">Fraction of mask patches masked, as written (not yet checked).</param>
public sealed record SimMimJson(string Path, SimMimOptions Model, int MaskPatchSize, double MaskRatio);
