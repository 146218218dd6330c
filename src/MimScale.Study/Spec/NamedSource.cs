namespace MimScale.Study.Spec;

/// <summary>
/// Another data set on the study's data axis (<c>data.other_sources</c>), such as ImageNet-22K next to the ImageNet-1K
/// fractions: its own training images, but the validation loss and the evaluations stay on the base set's sources, as
/// the paper measures every run's validation loss on ImageNet-1K val and fine-tunes on ImageNet-1K.
/// </summary>
/// <param name="Name">Label of the data set, e.g. "ImageNet-22K"; unique in the spec.</param>
/// <param name="Source">Its pre-training source, in <c>MimScale.Data.Sources.ImageSources.Open</c> syntax.</param>
public sealed record NamedSource(string Name, string Source);
