using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RagFunctions.Core.Retrieval;

/// <summary>Cosine-similarity vector index: an int8 matrix (one scale per row) scanned with SIMD picks candidates,
/// which are then re-scored exactly in fp32.</summary>
/// <remarks>
/// Vectors are L2-normalised on the way in, so cosine is a dot product. Each row is quantised symmetrically
/// (scale = max|v|/127). The query is kept at 16-bit precision and the scan multiplies int8 rows by int16 query lanes
/// (AVX-512BW / AVX2 <c>pmaddwd</c>, scalar elsewhere) accumulating in int32; the approximate score ranks rows, the best
/// <c>max(4·top, 40)</c> are re-scored with exact fp32 dot products. Rows are keyed by caller slots; removal tombstones the row
/// and <see cref="Compact"/> (automatic past one third dead rows) closes the gaps. Not thread-safe for writers vs readers;
/// ties are broken by the lower slot.
/// </remarks>
public sealed class VectorIndex
{
    private readonly int _paddedDimensions;
    private readonly Dictionary<int, int> _rowOfSlot = [];
    private sbyte[] _quantised = [];
    private float[] _vectors = [];
    private float[] _scales = [];
    private int[] _slotOfRow = [];
    private bool[] _deleted = [];
    private int _rows;
    private int _deadRows;

    public VectorIndex(int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        _paddedDimensions = (dimensions + 31) / 32 * 32;
        Grow(1024);
    }

    public int Dimensions { get; }

    /// <summary>Live vectors.</summary>
    public int Count => _rows - _deadRows;

    /// <summary>Adds (or replaces) the vector of <paramref name="slot"/>.</summary>
    public void Add(int slot, ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimensions)
        {
            throw new ArgumentException($"Expected {Dimensions} dimensions, got {vector.Length}.", nameof(vector));
        }

        Remove(slot);
        if (_rows == _scales.Length)
        {
            Grow(_rows * 2);
        }

        var row = _rows++;
        StoreRow(row, vector);
        _slotOfRow[row] = slot;
        _deleted[row] = false;
        _rowOfSlot[slot] = row;
    }

    /// <summary>Adds many vectors at once (start-up load): storage grows once and rows are normalised and quantised on all cores.</summary>
    /// <param name="slots">Slots without a vector in this index.</param>
    /// <param name="matrix">Row-major vectors aligned with <paramref name="slots"/> (<see cref="Dimensions"/> floats each).</param>
    public void AddBulk(ReadOnlySpan<int> slots, float[] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Length < (long)slots.Length * Dimensions)
        {
            throw new ArgumentException("The matrix has fewer rows than slots.", nameof(matrix));
        }

        foreach (var slot in slots)
        {
            Remove(slot);
        }

        var first = _rows;
        var count = slots.Length;
        if (first + count > _scales.Length)
        {
            Grow(first + count);
        }

        for (var i = 0; i < count; i++)
        {
            _slotOfRow[first + i] = slots[i];
            _deleted[first + i] = false;
            _rowOfSlot[slots[i]] = first + i;
        }

        var dimensions = Dimensions;
        Parallel.For(0, Math.Max(1, Math.Min(Environment.ProcessorCount, count / 1024)), part =>
        {
            var parts = Math.Max(1, Math.Min(Environment.ProcessorCount, count / 1024));
            var from = (int)((long)count * part / parts);
            var to = (int)((long)count * (part + 1) / parts);
            for (var i = from; i < to; i++)
            {
                StoreRow(first + i, matrix.AsSpan(i * dimensions, dimensions));
            }
        });
        _rows = first + count;
    }

    /// <summary>Removes the vector of <paramref name="slot"/>; false when there is none.</summary>
    public bool Remove(int slot)
    {
        if (!_rowOfSlot.Remove(slot, out var row))
        {
            return false;
        }

        _deleted[row] = true;
        _deadRows++;
        if (_deadRows * 3 > _rows && _rows > 64)
        {
            Compact();
        }

        return true;
    }

    public bool Contains(int slot) => _rowOfSlot.ContainsKey(slot);

    /// <summary>Moves live rows together, dropping tombstones.</summary>
    public void Compact()
    {
        var kept = 0;
        for (var row = 0; row < _rows; row++)
        {
            if (_deleted[row])
            {
                continue;
            }

            if (kept != row)
            {
                _vectors.AsSpan(row * Dimensions, Dimensions).CopyTo(_vectors.AsSpan(kept * Dimensions, Dimensions));
                _quantised.AsSpan(row * _paddedDimensions, _paddedDimensions).CopyTo(_quantised.AsSpan(kept * _paddedDimensions, _paddedDimensions));
                _scales[kept] = _scales[row];
                _slotOfRow[kept] = _slotOfRow[row];
                _deleted[kept] = false;
                _rowOfSlot[_slotOfRow[kept]] = kept;
            }

            kept++;
        }

        _rows = kept;
        _deadRows = 0;
    }

    /// <summary>Top-<paramref name="top"/> by cosine similarity, best first.</summary>
    /// <param name="candidates">How many int8 candidates to re-score; default max(4·top, 40).</param>
    public IReadOnlyList<ScoredSlot> Search(ReadOnlySpan<float> query, int top, Func<int, bool>? accept = null, int? candidates = null)
    {
        if (query.Length != Dimensions)
        {
            throw new ArgumentException($"Expected {Dimensions} dimensions, got {query.Length}.", nameof(query));
        }

        if (top <= 0 || Count == 0)
        {
            return [];
        }

        var norm = TensorPrimitives.Norm(query);
        if (!(norm > 0) || !float.IsFinite(norm))
        {
            return [];
        }

        var unit = new float[Dimensions];
        TensorPrimitives.Divide(query, norm, unit);
        var wideQuery = QuantiseQuery(unit);
        var shortlist = new TopK(Math.Max(candidates ?? Math.Max(4 * top, 40), top));
        ScanInt8(wideQuery, shortlist, accept);

        var exact = new TopK(top);
        foreach (var candidate in shortlist.ToSortedList())
        {
            var row = candidate.Slot;
            var score = TensorPrimitives.Dot(_vectors.AsSpan(row * Dimensions, Dimensions), unit);
            exact.TryAdd(_slotOfRow[row], score);
        }

        return exact.ToSortedList();
    }

    /// <summary>Writes the unit vector and its int8 quantisation (scale = max|v|/127, round to nearest) into <paramref name="row"/>.</summary>
    private void StoreRow(int row, ReadOnlySpan<float> vector)
    {
        var target = _vectors.AsSpan(row * Dimensions, Dimensions);
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0 && float.IsFinite(norm))
        {
            TensorPrimitives.Divide(vector, norm, target);
        }
        else
        {
            target.Clear();
        }

        var maxAbs = MathF.Abs(TensorPrimitives.MaxMagnitude(target)); // MaxMagnitude returns the signed element.
        var scale = maxAbs > 0 ? maxAbs / 127f : 0f;
        var q = _quantised.AsSpan(row * _paddedDimensions, _paddedDimensions);
        q.Clear();
        if (scale > 0)
        {
            Span<float> scaled = Dimensions <= 1024 ? stackalloc float[Dimensions] : new float[Dimensions];
            TensorPrimitives.Multiply(target, 127f / maxAbs, scaled);
            TensorPrimitives.Round(scaled, scaled);
            TensorPrimitives.Clamp(scaled, -127f, 127f, scaled);
            TensorPrimitives.ConvertTruncating<float, sbyte>(scaled, q[..Dimensions]);
        }

        _scales[row] = scale;
    }

    /// <summary>The query at 16-bit precision, as large as int32 accumulation allows: 127 · q · paddedDimensions &lt; 2³¹.</summary>
    private short[] QuantiseQuery(ReadOnlySpan<float> unit)
    {
        var wide = new short[_paddedDimensions];
        var maxAbs = MathF.Abs(TensorPrimitives.MaxMagnitude(unit));
        if (maxAbs <= 0)
        {
            return wide;
        }

        var limit = Math.Min(32767.0, int.MaxValue / (127.0 * _paddedDimensions) * 0.99);
        var scale = (float)(limit / maxAbs);
        for (var i = 0; i < unit.Length; i++)
        {
            wide[i] = (short)MathF.Round(unit[i] * scale);
        }

        return wide;
    }

    private void ScanInt8(short[] wideQuery, TopK shortlist, Func<int, bool>? accept)
    {
        var threshold = double.NegativeInfinity;
        var rows = _rows;
        var stride = _paddedDimensions;
        ref var matrix = ref MemoryMarshal.GetArrayDataReference(_quantised);
        ref var queryLanes = ref MemoryMarshal.GetArrayDataReference(wideQuery);
        var scales = _scales;
        for (var row = 0; row < rows; row++)
        {
            var dot = Dot(ref Unsafe.Add(ref matrix, (nint)row * stride), ref queryLanes, stride);
            var approximate = (double)(dot * scales[row]);
            if (approximate <= threshold || _deleted[row] || (accept is not null && !accept(_slotOfRow[row])))
            {
                continue;
            }

            shortlist.TryAdd(row, approximate);
            threshold = shortlist.Threshold;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Dot(ref sbyte row, ref short query, int length)
    {
        if (Avx512BW.IsSupported)
        {
            var acc = Vector512<int>.Zero;
            for (var j = 0; j < length; j += 32)
            {
                var x = Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref row, (nuint)j));
                var q = Vector512.LoadUnsafe(ref query, (nuint)j);
                acc += Avx512BW.MultiplyAddAdjacent(x, q);
            }

            return Vector512.Sum(acc);
        }

        if (Avx2.IsSupported)
        {
            var acc = Vector256<int>.Zero;
            for (var j = 0; j < length; j += 16)
            {
                var x = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref row, (nuint)j));
                var q = Vector256.LoadUnsafe(ref query, (nuint)j);
                acc += Avx2.MultiplyAddAdjacent(x, q);
            }

            return Vector256.Sum(acc);
        }

        var sum = 0;
        for (var j = 0; j < length; j++)
        {
            sum += Unsafe.Add(ref row, j) * Unsafe.Add(ref query, j);
        }

        return sum;
    }

    private void Grow(int capacity)
    {
        Array.Resize(ref _quantised, capacity * _paddedDimensions);
        Array.Resize(ref _vectors, capacity * Dimensions);
        Array.Resize(ref _scales, capacity);
        Array.Resize(ref _slotOfRow, capacity);
        Array.Resize(ref _deleted, capacity);
    }
}
