using System.Numerics;

namespace MimScale.Data.Random;

/// <summary>
/// xoshiro256** generator seeded through SplitMix64 (Blackman and Vigna, https://prng.di.unimi.it/). Its output is
/// fixed by the algorithm, so a stream depends only on its key: identical across processes, machines and .NET
/// versions (unlike <see cref="System.Random"/>, whose algorithm is unspecified). A mutable struct: pass it by ref.
/// </summary>
public struct DataRng
{
    private ulong s0, s1, s2, s3;

    /// <summary>Seeds the four state words from a SplitMix64 sequence started at <paramref name="seed"/>.</summary>
    public DataRng(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix64.Next(ref x);
        s1 = SplitMix64.Next(ref x);
        s2 = SplitMix64.Next(ref x);
        s3 = SplitMix64.Next(ref x);
    }

    /// <summary>
    /// The generator of one random stream, keyed by (seed, stream, a, b, c): e.g. (seed, Sample, epoch, position).
    /// Keys are hashed with the SplitMix64 finaliser, so neighbouring keys give unrelated streams.
    /// </summary>
    public static DataRng For(ulong seed, RandomStream stream, long a = 0, long b = 0, long c = 0)
    {
        ulong h = SplitMix64.Mix(seed ^ 0x6A09E667F3BCC909UL);
        h = SplitMix64.Mix(h ^ (ulong)stream);
        h = SplitMix64.Mix(h ^ (ulong)a);
        h = SplitMix64.Mix(h ^ (ulong)b ^ 0xBB67AE8584CAA73BUL);
        h = SplitMix64.Mix(h ^ (ulong)c ^ 0x3C6EF372FE94F82BUL);
        return new DataRng(h);
    }

    /// <summary>Next 64 uniformly random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = BitOperations.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Bernoulli(double p) => NextDouble() < p;

    /// <summary>Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "NextInt needs n > 0.");
        ulong range = (ulong)n;
        UInt128 m = (UInt128)NextUInt64() * range;
        ulong low = (ulong)m;
        if (low < range)
        {
            ulong threshold = (0 - range) % range;
            while (low < threshold)
            {
                m = (UInt128)NextUInt64() * range;
                low = (ulong)m;
            }
        }
        return (int)(m >> 64);
    }

    /// <summary>Uniform integer in [lo, hi] inclusive (Python's random.randint).</summary>
    public int NextIntInclusive(int lo, int hi) => lo + NextInt(hi - lo + 1);

    /// <summary>Standard normal draw (Box-Muller; one value per call so the stream stays simple).</summary>
    public double Normal()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang (2000), boosted for shape &lt; 1.</summary>
    public double Gamma(double shape)
    {
        if (shape <= 0) throw new ArgumentOutOfRangeException(nameof(shape), shape, "Gamma shape must be > 0.");
        if (shape < 1)
        {
            double u = 1.0 - NextDouble();
            return Gamma(shape + 1) * Math.Pow(u, 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9 * d);
        while (true)
        {
            double x = Normal(), v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = 1.0 - NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    /// <summary>Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).</summary>
    public double Beta(double a, double b)
    {
        double x = Gamma(a), y = Gamma(b);
        return x / (x + y);
    }

    /// <summary>In-place Fisher-Yates shuffle: a uniform random permutation.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A uniform random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle<int>(p);
        return p;
    }
}

/// <summary>SplitMix64 (Steele, Lea, Flood 2014): seeding sequence and 64-bit mixing finaliser.</summary>
public static class SplitMix64
{
    /// <summary>Advances <paramref name="state"/> and returns the next output.</summary>
    public static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>The SplitMix64 output function: a bijective 64-bit mix.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Stable 64-bit hash of a string (FNV-1a over UTF-16 code units, then mixed).</summary>
    public static ulong Hash(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char ch in text)
        {
            h ^= ch;
            h *= 0x100000001B3UL;
        }
        return Mix(h);
    }
}
