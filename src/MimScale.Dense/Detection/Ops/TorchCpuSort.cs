namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// The orders in which PyTorch's CPU <c>sort(dim=0, descending=True)</c> returns the indices of a vector, ties
/// included. ATen's <c>sort_kernel_impl</c> (aten/src/ATen/native/cpu/SortingKernel.cpp) sorts (value, index) pairs
/// with <c>KeyValueCompDesc</c> (NaN first, then larger values first) using <c>std::stable_sort</c> when asked for a
/// stable sort, else libstdc++'s <c>std::sort</c>, whose tie order is neither index order nor reverse.
/// </summary>
/// <remarks>
/// torchvision's CPU <c>nms</c> sorts with stable=True (csrc/ops/cpu/nms_kernel.cpp, checked on 0.14.1: its visit
/// order equals the stable sort on 5000 tied scores), but <c>batched_nms</c>' per-category path orders its result
/// with a Python <c>sort(descending=True)</c>, i.e. std::sort. <see cref="Descending"/> re-states the libstdc++
/// introsort (median-of-three pivot moved to the front, unguarded Hoare partition, depth limit 2*floor(log2 n) with a
/// heapsort fallback, final insertion sort with threshold 16); it only compares keys, so the permutation is the one the
/// C++ code produces for torch 1.13 (the fixture's version). Builds with x86-simd-sort order ties differently again.
/// </remarks>
public static class TorchCpuSort
{
    const int Threshold = 16; // libstdc++ _S_threshold

    /// <summary>Indices in descending order, ties in index order, NaN first: <c>sort(stable=True, descending=True)</c>.</summary>
    public static int[] StableDescending(ReadOnlySpan<double> keys)
    {
        var k = keys.ToArray();
        return Enumerable.Range(0, k.Length).OrderByDescending(i => double.IsNaN(k[i])).ThenByDescending(i => k[i]).ToArray();
    }

    /// <summary>
    /// Indices in descending order with ties as the unstable <c>sort(descending=True)</c> of torch 1.13 leaves them.
    /// Float32 scores widen to double exactly, so their order and ties are unchanged.
    /// </summary>
    public static int[] Descending(ReadOnlySpan<double> keys)
    {
        var items = new (double Key, int Index)[keys.Length];
        for (int i = 0; i < keys.Length; i++) items[i] = (keys[i], i);
        if (items.Length > 1)
        {
            IntroLoop(items, 0, items.Length, 2 * Log2(items.Length));
            FinalInsertionSort(items, 0, items.Length);
        }
        var order = new int[items.Length];
        for (int i = 0; i < order.Length; i++) order[i] = items[i].Index;
        return order;
    }

    // KeyValueCompDesc: a before b when a is NaN and b is not, or a > b.
    static bool Before((double Key, int Index) a, (double Key, int Index) b) =>
        (double.IsNaN(a.Key) && !double.IsNaN(b.Key)) || a.Key > b.Key;

    static int Log2(int n) => 31 - int.LeadingZeroCount(n);

    static void IntroLoop((double, int)[] a, int first, int last, int depth)
    {
        while (last - first > Threshold)
        {
            if (depth == 0)
            {
                HeapSort(a, first, last);
                return;
            }
            depth--;
            int cut = PartitionPivot(a, first, last);
            IntroLoop(a, cut, last, depth);
            last = cut;
        }
    }

    static int PartitionPivot((double, int)[] a, int first, int last)
    {
        int mid = first + (last - first) / 2;
        MoveMedianToFirst(a, first, first + 1, mid, last - 1);
        // unguarded partition of [first+1, last) around the pivot now at `first`
        int lo = first + 1, hi = last;
        while (true)
        {
            while (Before(a[lo], a[first])) lo++;
            hi--;
            while (Before(a[first], a[hi])) hi--;
            if (!(lo < hi)) return lo;
            (a[lo], a[hi]) = (a[hi], a[lo]);
            lo++;
        }
    }

    static void MoveMedianToFirst((double, int)[] a, int result, int x, int y, int z)
    {
        int pick;
        if (Before(a[x], a[y]))
            pick = Before(a[y], a[z]) ? y : Before(a[x], a[z]) ? z : x;
        else
            pick = Before(a[x], a[z]) ? x : Before(a[y], a[z]) ? z : y;
        (a[result], a[pick]) = (a[pick], a[result]);
    }

    static void FinalInsertionSort((double, int)[] a, int first, int last)
    {
        if (last - first > Threshold)
        {
            InsertionSort(a, first, first + Threshold);
            for (int i = first + Threshold; i < last; i++) LinearInsert(a, i);
        }
        else InsertionSort(a, first, last);
    }

    static void InsertionSort((double, int)[] a, int first, int last)
    {
        for (int i = first + 1; i < last; i++)
        {
            if (Before(a[i], a[first]))
            {
                var v = a[i];
                Array.Copy(a, first, a, first + 1, i - first);
                a[first] = v;
            }
            else LinearInsert(a, i);
        }
    }

    static void LinearInsert((double, int)[] a, int last)
    {
        var v = a[last];
        int next = last - 1;
        while (Before(v, a[next])) { a[last] = a[next]; last = next; next--; }
        a[last] = v;
    }

    // std::__partial_sort(first, last, last): make_heap then sort_heap, with libstdc++'s hole-based sift.
    static void HeapSort((double, int)[] a, int first, int last)
    {
        int len = last - first;
        if (len >= 2)
            for (int parent = (len - 2) / 2; ; parent--)
            {
                AdjustHeap(a, first, parent, len, a[first + parent]);
                if (parent == 0) break;
            }
        while (last - first > 1)
        {
            last--;
            var v = a[last];
            a[last] = a[first];
            AdjustHeap(a, first, 0, last - first, v);
        }
    }

    static void AdjustHeap((double, int)[] a, int first, int hole, int len, (double, int) value)
    {
        int top = hole, child = hole;
        while (child < (len - 1) / 2)
        {
            child = 2 * (child + 1);
            if (Before(a[first + child], a[first + child - 1])) child--;
            a[first + hole] = a[first + child];
            hole = child;
        }
        if ((len & 1) == 0 && child == (len - 2) / 2)
        {
            child = 2 * (child + 1);
            a[first + hole] = a[first + child - 1];
            hole = child - 1;
        }
        int parent = (hole - 1) / 2;
        while (hole > top && Before(a[first + parent], value))
        {
            a[first + hole] = a[first + parent];
            hole = parent;
            parent = (hole - 1) / 2;
        }
        a[first + hole] = value;
    }
}
