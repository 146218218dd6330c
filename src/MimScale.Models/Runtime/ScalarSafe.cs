using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Models.Runtime;

/// <summary>
/// Tensor arithmetic with numbers that never hands native code a <see cref="Scalar"/> nothing keeps alive.
/// <para>
/// Why: a TorchSharp 0.107 <see cref="Scalar"/> frees its native object in its finalizer, and TorchSharp reads
/// <c>scalar.Handle</c> before the P/Invoke without <c>GC.KeepAlive(scalar)</c>. A temporary Scalar (from an implicit
/// conversion such as <c>x * 0.5</c>, or built inside TorchSharp such as the alpha = 1 of <c>a + b</c>) is therefore
/// collectable while libtorch still reads it; a collection in that window frees it and the op fails ("Expected false to
/// be true ... toFloat") or reads freed memory. Every number here lives in a <c>using</c> local (alive until the op
/// returns) or in a static readonly field (never collected). <c>tests/.../Runtime/ScalarLifetimeTests</c> reads the IL
/// of every MimScale assembly and fails on any other way of passing a Scalar.
/// </para>
/// </summary>
public static class ScalarSafe
{
    /// <summary>alpha = 1 for tensor-tensor add/sub; built once, never collected.</summary>
    private static readonly Scalar One = 1;

    /// <summary>The exponent of <see cref="Squared"/>.</summary>
    private static readonly Scalar Two = 2;

    /// <summary><c>a + b</c> (broadcasting).</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a += b</c> in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary><c>a + v</c>.</summary>
    public static Tensor Plus(this Tensor a, double v) { using var s = v.ToScalar(); return a.add(s, One); }

    /// <summary><c>a += v</c> in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, double v) { using var s = v.ToScalar(); return a.add_(s, One); }

    /// <summary><c>a - v</c>.</summary>
    public static Tensor Minus(this Tensor a, double v) { using var s = v.ToScalar(); return a.sub(s); }

    /// <summary><c>v - a</c> (as <c>-a + v</c>: the same IEEE result).</summary>
    public static Tensor SubtractedFrom(this Tensor a, double v) { using var s = v.ToScalar(); return a.neg().add_(s, One); }

    /// <summary><c>a -= v</c> in place.</summary>
    public static Tensor MinusInPlace(this Tensor a, double v) { using var s = v.ToScalar(); return a.sub_(s); }

    /// <summary><c>a.fill_(v)</c>.</summary>
    public static Tensor FillInPlace(this Tensor a, double v) { using var s = v.ToScalar(); return a.fill_(s); }

    /// <summary><c>a.clamp_(lo, hi)</c>.</summary>
    public static Tensor ClampInPlace(this Tensor a, double lo, double hi)
    {
        using var l = lo.ToScalar();
        using var h = hi.ToScalar();
        return a.clamp_(l, h);
    }

    /// <summary><c>a * v</c>.</summary>
    public static Tensor Times(this Tensor a, double v) { using var s = v.ToScalar(); return a.mul(s); }

    /// <summary><c>a *= v</c> in place.</summary>
    public static Tensor TimesInPlace(this Tensor a, double v) { using var s = v.ToScalar(); return a.mul_(s); }

    /// <summary><c>a / v</c>.</summary>
    public static Tensor Over(this Tensor a, double v) { using var s = v.ToScalar(); return a.div(s); }

    /// <summary><c>a /= v</c> in place.</summary>
    public static Tensor OverInPlace(this Tensor a, double v) { using var s = v.ToScalar(); return a.div_(s); }

    /// <summary><c>a.clamp_min(v)</c>.</summary>
    public static Tensor AtLeast(this Tensor a, double v) { using var s = v.ToScalar(); return a.clamp_min(s); }

    /// <summary><c>a.clamp_max(v)</c>.</summary>
    public static Tensor AtMost(this Tensor a, double v) { using var s = v.ToScalar(); return a.clamp_max(s); }

    /// <summary><c>a &lt; v</c> (bool).</summary>
    public static Tensor LessThan(this Tensor a, double v) { using var s = v.ToScalar(); return a.lt(s); }

    /// <summary><c>a.square()</c>, which is <c>pow(a, 2)</c> in libtorch (TorchSharp's square() builds a temporary 2).</summary>
    public static Tensor Squared(this Tensor a) => a.pow(Two);
}
