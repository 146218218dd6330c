using MimScale.Study.Spec;

namespace MimScale.Tests.Study.Spec;

/// <summary><c>scratch_reference</c> in a spec: off by default, on with true, a bad value or a spec with nothing to compare named.</summary>
public class ScratchReferenceSpecTests
{
    static StudySpec Spec(string extraTop = "", string evaluations = "[val_loss, knn, finetune]") =>
        StudySpecReader.Parse(StudyTestData.Spec(evaluations: evaluations, extraTop: extraTop), "t.yaml");

    [Fact]
    public void TheReferenceIsOffByDefaultAndOnWithTrue()
    {
        Assert.False(Spec().ScratchReference);
        Assert.False(Spec("scratch_reference: false").ScratchReference);
        Assert.True(Spec("scratch_reference: true").ScratchReference);
        Assert.True(Spec("scratch_reference: yes").ScratchReference);
    }

    [Fact]
    public void ABadValueNamesTheSpecTheLineAndTheKey()
    {
        var e = Assert.Throws<StudySpecException>(() => Spec("scratch_reference: maybe"));
        Assert.Equal("t.yaml", e.File);
        Assert.NotNull(e.Line);
        Assert.StartsWith("t.yaml:", e.Message);
        Assert.Contains("'scratch_reference' must be true or false, got 'maybe'", e.Message);

        var list = Assert.Throws<StudySpecException>(() => Spec("scratch_reference: [true]"));
        Assert.Contains("'scratch_reference' must be a single value", list.Message);

        var typo = Assert.Throws<StudySpecException>(() => Spec("scratch_references: true"));
        Assert.Contains("did you mean 'scratch_reference'", typo.Message);
    }

    [Fact]
    public void ASpecWithOnlyTheValidationLossHasNothingToCompare()
    {
        var e = Assert.Throws<StudySpecException>(() => Spec("scratch_reference: true", evaluations: "[val_loss]"));
        Assert.Contains("t.yaml:", e.Message);
        Assert.Contains("'scratch_reference' needs a downstream evaluation (knn, linear_probe, finetune, segmentation, detection)", e.Message);
        Assert.False(Spec("scratch_reference: false", evaluations: "[val_loss]").ScratchReference);   // off: nothing to check
    }

    [Fact]
    public void TheDemoQuickAndOverfitSpecsHaveTheReference()
    {
        foreach (var name in new[] { "demo", "quick", "overfit" })
            Assert.True(StudySpecReader.Load(Fixtures.RepoFile($"studies/fashion-mnist-{name}.yaml")).ScratchReference, name);
        Assert.False(StudySpecReader.Load(Fixtures.RepoFile("studies/fashion-mnist-arms.yaml")).ScratchReference);
    }
}
