using MimScale.Models.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MimScale.Tests.Models.Runtime;

/// <summary>
/// The crash of the study's parallel jobs: a TorchSharp Scalar freed by its finalizer while native code reads it.
/// The audit proves by reading IL that no MimScale code passes such a Scalar; the stress tests run the hot paths while
/// another thread forces collections, the exact trigger of the crash.
/// </summary>
public class ScalarLifetimeTests(ITestOutputHelper output)
{
    [Fact]
    public void NoMimScaleCodePassesTorchSharpAScalarThatNothingKeepsAlive()
    {
        var report = ScalarLifetimeAudit.Run();
        foreach (var line in report.Violations) output.WriteLine(line);
        Assert.Empty(report.Violations);
    }

    [Fact]
    public void TheAuditFindsTheKnownHazardsInTorchSharp()
    {
        // The audit can fail: the overloads behind `a + b`, `a.add_(b)` and `x.square()` build a temporary Scalar.
        var hazardous = ScalarLifetimeAudit.HazardousTorchMethods(typeof(Scalar).Assembly);
        Assert.Contains("TorchSharp.torch+Tensor::Tensor op_Addition(Tensor, Tensor)", hazardous);
        Assert.Contains("TorchSharp.torch+Tensor::Tensor add_(Tensor)", hazardous);
        Assert.Contains("TorchSharp.torch+Tensor::Tensor square()", hazardous);
        // ... and the forms ScalarSafe uses do not.
        Assert.DoesNotContain("TorchSharp.torch+Tensor::Tensor add(Tensor, TorchSharp.Scalar)", hazardous);
        Assert.DoesNotContain("TorchSharp.torch+Tensor::Tensor pow(TorchSharp.Scalar)", hazardous);
    }

    [Fact]
    public void TheTensorsOnlyExceptionForTorchScriptHoldsOnlyWhereNothingIsBoxed()
    {
        // invoke builds a temporary Scalar from a boxed number, so it is hazardous; the audit lets it pass only from a
        // method that boxes nothing. The fused AdamW kernel is such a caller; a call with a number argument is not.
        var hazardous = ScalarLifetimeAudit.HazardousTorchMethods(typeof(Scalar).Assembly);
        Assert.Contains(hazardous, k => k.Contains("CompilationUnit::System.Object invoke(System.String, System.Object[])", StringComparison.Ordinal));
        var apply = typeof(MimScale.Training.Optim.AdamW).Assembly.GetType("MimScale.Training.Optim.FusedAdamWKernel")!.GetMethod("Apply")!;
        Assert.Contains(IlCallScanner.CalleesOf(apply), ScalarLifetimeAudit.IsScriptInvoke);
        Assert.Empty(IlCallScanner.BoxedTypesOf(apply));
        var withNumber = typeof(ScalarLifetimeTests).GetMethod(nameof(InvokeWithANumber), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        Assert.Contains(IlCallScanner.CalleesOf(withNumber), ScalarLifetimeAudit.IsScriptInvoke);
        Assert.Equal(new[] { typeof(double) }, IlCallScanner.BoxedTypesOf(withNumber));
    }

    // Never run: its IL is what the test above reads.
    static object InvokeWithANumber(jit.CompilationUnit unit) => unit.invoke("f", 0.5);

    [Fact]
    public void ScalarSafeArithmeticGivesTheSameNumbersAsTheOperators()
    {
        using var scope = NewDisposeScope();
        var a = torch.tensor(new float[] { 0.25f, -1.5f, 3f, 1e-30f });
        var b = torch.tensor(new float[] { 2f, 0.5f, -4f, 7f });
        Assert.Equal((a + b).data<float>().ToArray(), a.Plus(b).data<float>().ToArray());
        Assert.Equal((1 - a).data<float>().ToArray(), a.SubtractedFrom(1).data<float>().ToArray());
        Assert.Equal((a * 0.3).data<float>().ToArray(), a.Times(0.3).data<float>().ToArray());
        Assert.Equal((a / 3).data<float>().ToArray(), a.Over(3).data<float>().ToArray());
        Assert.Equal(a.square().data<float>().ToArray(), a.Squared().data<float>().ToArray());
        Assert.Equal(a.clamp_min(1e-24).data<float>().ToArray(), a.AtLeast(1e-24).data<float>().ToArray());
        Assert.Equal(new[] { 0.25f, -1.5f, 2f, 1e-30f }, a.clone().ClampInPlace(-2, 2).data<float>().ToArray());
    }
}
