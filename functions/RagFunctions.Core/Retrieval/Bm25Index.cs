namespace RagFunctions.Core.Retrieval;

/// <summary>A document's distinct terms with their frequencies, and its length in terms (the BM25 document length).</summary>
public sealed record DocumentTerms(string[] Terms, ushort[] Frequencies, int Length)
{
    /// <summary>Optional per-term keys from <see cref="KeySpace"/> (a <see cref="TextAnalyzer"/>): equal keys mean equal terms,
    /// so the index can map them without hashing strings; -1 = no key.</summary>
    public int[]? Keys { get; init; }

    /// <summary>The object that issued <see cref="Keys"/>.</summary>
    public object? KeySpace { get; init; }

    /// <summary>Counts a term sequence (duplicates are term frequencies, capped at 65535).</summary>
    public static DocumentTerms From(IReadOnlyList<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var counts = new Dictionary<string, int>(Math.Min(terms.Count, 1024), StringComparer.Ordinal);
        foreach (var term in terms)
        {
            ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, term, out _);
            count++;
        }

        var distinct = new string[counts.Count];
        var frequencies = new ushort[counts.Count];
        var i = 0;
        foreach (var (term, count) in counts)
        {
            distinct[i] = term;
            frequencies[i++] = (ushort)Math.Min(count, ushort.MaxValue);
        }

        return new DocumentTerms(distinct, frequencies, terms.Count);
    }
}

/// <summary>A result of one retriever: the caller's slot number and its score (higher is better).</summary>
public readonly record struct ScoredSlot(int Slot, double Score);

/// <summary>An in-memory inverted index scored with BM25 (Lucene's idf: ln(1 + (N − df + 0.5)/(df + 0.5))),
/// answering OR queries with exact top-k through MaxScore dynamic pruning.</summary>
/// <remarks>
/// Documents are identified by caller-assigned slots that only grow (postings stay sorted by appending).
/// Removal tombstones a slot (N, df and average length are corrected at once); postings of removed slots are dropped by
/// <see cref="Compact"/>, which runs automatically when they exceed a third of all postings.
/// Per-term score upper bounds use the best length-normalised tf of the term's postings at a reference average length
/// <c>A0</c> ≥ the current average (the normalised tf only grows with the average length, so the bound stays valid);
/// when the average passes <c>A0</c>, <c>A0</c> is raised by 25 % and the bounds are recomputed.
/// Not thread-safe: a caller serialises writers against readers (see <see cref="InMemoryHybridIndex"/>).
/// Ranking ties are broken by the lower slot.
/// </remarks>
public sealed class Bm25Index
{
    private const double BoundSlack = 1.25;

    private readonly double _k1;
    private readonly double _b;
    private readonly Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private readonly List<PostingList> _postings = [];
    private object? _keySpace;
    private int[] _termIdOfKey = [];
    private int[] _docLength = new int[1024];
    private int[]?[] _docTerms = new int[1024][];
    private int _nextSlot;
    private int _liveDocs;
    private long _liveLength;
    private long _totalPostings;
    private long _deadPostings;
    private double _boundAverageLength;

    public Bm25Index(double k1 = 1.2, double b = 0.75)
    {
        _k1 = k1;
        _b = b;
    }

    /// <summary>Live (not removed) documents.</summary>
    public int DocumentCount => _liveDocs;

    /// <summary>Distinct terms ever indexed.</summary>
    public int TermCount => _termIds.Count;

    /// <summary>Postings held, including those of removed documents not yet compacted.</summary>
    public long PostingCount => _totalPostings;

    /// <summary>Indexes a document's terms (duplicates are term frequencies) under <paramref name="slot"/>, which must exceed every slot added before.</summary>
    public void Add(int slot, IReadOnlyList<string> terms) => Add(slot, DocumentTerms.From(terms));

    /// <summary>Indexes a document whose term frequencies were counted beforehand (e.g. on another thread).</summary>
    public void Add(int slot, DocumentTerms document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (slot < _nextSlot)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, "Slots must be added in increasing order.");
        }

        EnsureCapacity(slot);
        var terms = document.Terms;
        var keys = document.Keys;
        if (keys is not null && document.KeySpace is not null)
        {
            _keySpace ??= document.KeySpace;
            if (!ReferenceEquals(_keySpace, document.KeySpace))
            {
                keys = null;
            }
        }

        var ids = new int[terms.Length];
        for (var i = 0; i < terms.Length; i++)
        {
            int id;
            var key = keys is null ? -1 : keys[i];
            if (key >= 0)
            {
                if (key >= _termIdOfKey.Length)
                {
                    Array.Resize(ref _termIdOfKey, Math.Max(key + 1, _termIdOfKey.Length * 2));
                }

                // Stored as id + 1 so the array's zeros mean "not mapped yet".
                id = _termIdOfKey[key] - 1;
                if (id < 0)
                {
                    id = TermId(terms[i]);
                    _termIdOfKey[key] = id + 1;
                }
            }
            else
            {
                id = TermId(terms[i]);
            }

            ids[i] = id;
            _postings[id].Append(slot, document.Frequencies[i]);
        }

        var length = document.Length;
        _docLength[slot] = length;
        _docTerms[slot] = ids;
        _nextSlot = slot + 1;
        _liveDocs++;
        _liveLength += length;
        _totalPostings += ids.Length;

        var average = (double)_liveLength / _liveDocs;
        if (average > _boundAverageLength)
        {
            RecomputeBounds(average * BoundSlack);
        }
        else
        {
            for (var i = 0; i < ids.Length; i++)
            {
                var list = _postings[ids[i]];
                var norm = Normalised(document.Frequencies[i], length, _boundAverageLength);
                if (norm > list.MaxNormalisedTf)
                {
                    list.MaxNormalisedTf = norm;
                }
            }
        }
    }

    /// <summary>Indexes many documents at once (start-up load): term keys are resolved to strings once per distinct key, each
    /// posting list grows to its exact final size once (count, then fill), and score bounds are computed once at the end.</summary>
    /// <param name="slots">Increasing slots, each above every slot added before.</param>
    /// <param name="lengths">Document lengths in terms, aligned with <paramref name="slots"/>.</param>
    /// <param name="termStart">Document <c>i</c>'s terms are <c>keys[termStart[i]..termStart[i + 1]]</c> (length = slots + 1).</param>
    /// <param name="keys">Caller term keys (distinct within a document); <paramref name="termOfKey"/> names them.</param>
    /// <param name="frequencies">Term frequencies aligned with <paramref name="keys"/>.</param>
    public void AddBulk(ReadOnlySpan<int> slots, ReadOnlySpan<int> lengths, ReadOnlySpan<int> termStart, ReadOnlySpan<int> keys,
        ReadOnlySpan<ushort> frequencies, Func<int, string> termOfKey)
    {
        ArgumentNullException.ThrowIfNull(termOfKey);
        if (lengths.Length != slots.Length || termStart.Length != slots.Length + 1 || frequencies.Length < termStart[^1] || keys.Length < termStart[^1])
        {
            throw new ArgumentException("Bulk arrays do not align.");
        }

        if (slots.Length == 0)
        {
            return;
        }

        var previous = _nextSlot - 1;
        foreach (var slot in slots)
        {
            if (slot <= previous)
            {
                throw new ArgumentOutOfRangeException(nameof(slots), slot, "Slots must be added in increasing order.");
            }

            previous = slot;
        }

        EnsureCapacity(slots[^1]);

        // Pass 1: term ids (one dictionary look-up per distinct key) and document frequencies.
        // Keys are usually dense vocabulary ids: an array maps them (id + 1; 0 = not yet); other keys go through a dictionary.
        var maxKey = 0;
        foreach (var key in keys[..termStart[^1]])
        {
            maxKey = Math.Max(maxKey, key);
        }

        var denseMap = new int[maxKey + 1];
        var sparseMap = new Dictionary<int, int>();
        var termIds = new int[termStart[^1]];
        var added = new int[_postings.Count + 1024];
        for (var i = 0; i < termIds.Length; i++)
        {
            var key = keys[i];
            int id;
            if (key >= 0)
            {
                id = denseMap[key] - 1;
                if (id < 0)
                {
                    id = TermId(termOfKey(key));
                    denseMap[key] = id + 1;
                }
            }
            else if (!sparseMap.TryGetValue(key, out id))
            {
                id = TermId(termOfKey(key));
                sparseMap.Add(key, id);
            }

            termIds[i] = id;
            if (id >= added.Length)
            {
                Array.Resize(ref added, Math.Max(id + 1, added.Length * 2));
            }

            added[id]++;
        }

        for (var id = 0; id < _postings.Count; id++)
        {
            if (added[id] > 0)
            {
                _postings[id].Reserve(added[id]);
            }
        }

        // Pass 2: fill, in slot order, so every list stays sorted.
        long length = 0;
        for (var d = 0; d < slots.Length; d++)
        {
            var slot = slots[d];
            var start = termStart[d];
            var ids = termIds.AsSpan(start, termStart[d + 1] - start).ToArray();
            for (var i = 0; i < ids.Length; i++)
            {
                _postings[ids[i]].Append(slot, frequencies[start + i]);
            }

            _docLength[slot] = lengths[d];
            _docTerms[slot] = ids;
            length += lengths[d];
        }

        _nextSlot = slots[^1] + 1;
        _liveDocs += slots.Length;
        _liveLength += length;
        _totalPostings += termIds.Length;
        RecomputeBounds(_liveDocs == 0 ? 0 : (double)_liveLength / _liveDocs * BoundSlack);
    }

    /// <summary>Removes the document in <paramref name="slot"/>; false when it is not live.</summary>
    public bool Remove(int slot)
    {
        if (slot < 0 || slot >= _nextSlot || _docTerms[slot] is not { } ids)
        {
            return false;
        }

        foreach (var id in ids)
        {
            _postings[id].LiveDocumentFrequency--;
        }

        _docTerms[slot] = null;
        _liveDocs--;
        _liveLength -= _docLength[slot];
        _deadPostings += ids.Length;
        if (_deadPostings * 3 > _totalPostings)
        {
            Compact();
        }
        else if (_liveDocs > 0 && (double)_liveLength / _liveDocs > _boundAverageLength)
        {
            // Removing short documents raised the average length past the bounds' reference: bounds must grow.
            RecomputeBounds((double)_liveLength / _liveDocs * BoundSlack);
        }

        return true;
    }

    /// <summary>True when the slot holds a live document.</summary>
    public bool Contains(int slot) => slot >= 0 && slot < _nextSlot && _docTerms[slot] is not null;

    /// <summary>Drops postings of removed documents and tightens the score bounds.</summary>
    public void Compact()
    {
        foreach (var list in _postings)
        {
            list.RemoveWhere(this);
        }

        _totalPostings -= _deadPostings;
        _deadPostings = 0;
        RecomputeBounds(_liveDocs == 0 ? 0 : (double)_liveLength / _liveDocs * BoundSlack);
    }

    /// <summary>Exact BM25 top-<paramref name="top"/> for the OR of the <paramref name="terms"/>, best first. A term given
    /// <c>q</c> times weighs <c>q</c> times (query term frequency, BM25's <c>k3</c> → ∞ — what Lucene does with a query's repeated
    /// clauses): the words a long question repeats are its subject.</summary>
    /// <param name="accept">Optional slot filter (e.g. security trimming); rejected slots are never scored.</param>
    public IReadOnlyList<ScoredSlot> Search(IReadOnlyList<string> terms, int top, Func<int, bool>? accept = null)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (top <= 0 || _liveDocs == 0 || terms.Count == 0)
        {
            return [];
        }

        // Distinct indexed term ids in first-seen order, with how often the query names each.
        var ids = new List<int>(terms.Count);
        var queryFrequency = new List<int>(terms.Count);
        var positionOfId = new Dictionary<int, int>(terms.Count);
        foreach (var term in terms)
        {
            if (!_termIds.TryGetValue(term, out var id) || _postings[id].LiveDocumentFrequency <= 0)
            {
                continue;
            }

            if (positionOfId.TryGetValue(id, out var at))
            {
                queryFrequency[at]++;
            }
            else
            {
                positionOfId.Add(id, ids.Count);
                ids.Add(id);
                queryFrequency.Add(1);
            }
        }

        var cursors = new List<Cursor>(ids.Count);
        var n = (double)_liveDocs;
        for (var t = 0; t < ids.Count; t++)
        {
            var list = _postings[ids[t]];
            var df = list.LiveDocumentFrequency;
            var idf = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
            var weight = idf * (_k1 + 1) * queryFrequency[t];
            // Slack guards against the bound and the score rounding differently.
            cursors.Add(new Cursor(list, weight, weight * list.MaxNormalisedTf * (1 + 1e-9)));
        }

        if (cursors.Count == 0)
        {
            return [];
        }

        cursors.Sort((x, y) => x.UpperBound.CompareTo(y.UpperBound));
        var prefix = new double[cursors.Count];
        for (var i = 0; i < cursors.Count; i++)
        {
            prefix[i] = cursors[i].UpperBound + (i > 0 ? prefix[i - 1] : 0);
        }

        var averageLength = _liveLength / n;
        var c1 = _k1 * (1 - _b);
        var c2 = _k1 * _b / averageLength;
        var heap = new TopK(top);
        var firstEssential = 0;
        var docLength = _docLength;
        var docTerms = _docTerms;

        while (firstEssential < cursors.Count)
        {
            var candidate = int.MaxValue;
            for (var i = firstEssential; i < cursors.Count; i++)
            {
                var doc = cursors[i].CurrentSlot;
                if (doc < candidate)
                {
                    candidate = doc;
                }
            }

            if (candidate == int.MaxValue)
            {
                break;
            }

            if (docTerms[candidate] is null || (accept is not null && !accept(candidate)))
            {
                for (var i = firstEssential; i < cursors.Count; i++)
                {
                    cursors[i].SkipIfAt(candidate);
                }

                continue;
            }

            var lengthNorm = c1 + c2 * docLength[candidate];
            var score = 0.0;
            for (var i = firstEssential; i < cursors.Count; i++)
            {
                var cursor = cursors[i];
                if (cursor.CurrentSlot == candidate)
                {
                    double tf = cursor.CurrentTf;
                    score += cursor.Weight * tf / (tf + lengthNorm);
                    cursor.Next();
                }
            }

            var threshold = heap.Threshold;
            var pruned = false;
            for (var i = firstEssential - 1; i >= 0; i--)
            {
                if (score + prefix[i] <= threshold)
                {
                    pruned = true;
                    break;
                }

                var cursor = cursors[i];
                if (cursor.AdvanceTo(candidate))
                {
                    double tf = cursor.CurrentTf;
                    score += cursor.Weight * tf / (tf + lengthNorm);
                }
            }

            if (!pruned && heap.TryAdd(candidate, score))
            {
                while (firstEssential < cursors.Count && prefix[firstEssential] <= heap.Threshold)
                {
                    firstEssential++;
                }
            }
        }

        return heap.ToSortedList();
    }

    private int TermId(string term)
    {
        if (!_termIds.TryGetValue(term, out var id))
        {
            id = _postings.Count;
            _termIds.Add(term, id);
            _postings.Add(new PostingList());
        }

        return id;
    }

    private double Normalised(int tf, int length, double averageLength) =>
        averageLength <= 0 ? 1 : tf / (tf + _k1 * (1 - _b + _b * length / averageLength));

    private void RecomputeBounds(double averageLength)
    {
        _boundAverageLength = averageLength;
        foreach (var list in _postings)
        {
            var best = 0.0;
            for (var i = 0; i < list.Count; i++)
            {
                var slot = list.Slots[i];
                if (_docTerms[slot] is null)
                {
                    continue;
                }

                var norm = Normalised(list.Tfs[i], _docLength[slot], averageLength);
                if (norm > best)
                {
                    best = norm;
                }
            }

            list.MaxNormalisedTf = best;
        }
    }

    private void EnsureCapacity(int slot)
    {
        if (slot < _docLength.Length)
        {
            return;
        }

        var size = Math.Max(slot + 1, _docLength.Length * 2);
        Array.Resize(ref _docLength, size);
        Array.Resize(ref _docTerms, size);
    }

    private sealed class PostingList
    {
        public int[] Slots = new int[2];
        public ushort[] Tfs = new ushort[2];
        public int Count;
        public int LiveDocumentFrequency;
        public double MaxNormalisedTf;

        public void Append(int slot, ushort tf)
        {
            if (Count == Slots.Length)
            {
                var size = Count * 2;
                Array.Resize(ref Slots, size);
                Array.Resize(ref Tfs, size);
            }

            Slots[Count] = slot;
            Tfs[Count] = tf;
            Count++;
            LiveDocumentFrequency++;
        }

        /// <summary>Grows the arrays once so <paramref name="more"/> appends fit without further copies.</summary>
        public void Reserve(int more)
        {
            if (Count + more > Slots.Length)
            {
                Array.Resize(ref Slots, Count + more);
                Array.Resize(ref Tfs, Count + more);
            }
        }

        public void RemoveWhere(Bm25Index owner)
        {
            var kept = 0;
            for (var i = 0; i < Count; i++)
            {
                if (owner._docTerms[Slots[i]] is not null)
                {
                    Slots[kept] = Slots[i];
                    Tfs[kept] = Tfs[i];
                    kept++;
                }
            }

            Count = kept;
            if (Slots.Length > 16 && kept < Slots.Length / 4)
            {
                Array.Resize(ref Slots, Math.Max(kept, 2));
                Array.Resize(ref Tfs, Math.Max(kept, 2));
            }
        }
    }

    private sealed class Cursor(PostingList list, double weight, double upperBound)
    {
        private readonly int[] _slots = list.Slots;
        private readonly ushort[] _tfs = list.Tfs;
        private readonly int _count = list.Count;
        private int _position;

        public double Weight { get; } = weight;

        public double UpperBound { get; } = upperBound;

        public int CurrentSlot => _position < _count ? _slots[_position] : int.MaxValue;

        public int CurrentTf => _tfs[_position];

        public void Next() => _position++;

        public void SkipIfAt(int slot)
        {
            if (_position < _count && _slots[_position] == slot)
            {
                _position++;
            }
        }

        /// <summary>Moves to the first posting ≥ <paramref name="slot"/> (galloping, then binary search); true when it is exactly <paramref name="slot"/>.</summary>
        public bool AdvanceTo(int slot)
        {
            if (_position >= _count)
            {
                return false;
            }

            if (_slots[_position] >= slot)
            {
                return _slots[_position] == slot;
            }

            var low = _position;
            var step = 1;
            var high = _position + 1;
            while (high < _count && _slots[high] < slot)
            {
                low = high;
                step <<= 1;
                high = _position + step;
            }

            high = Math.Min(high, _count);
            // Invariant: _slots[low] < slot, and high == _count or _slots[high] >= slot.
            var index = Array.BinarySearch(_slots, low + 1, high - low - 1, slot);
            _position = index >= 0 ? index : ~index;
            return _position < _count && _slots[_position] == slot;
        }
    }
}

/// <summary>Keeps the best k (score desc, slot asc) in a min-heap; <see cref="Threshold"/> is the score a newcomer must beat.</summary>
internal sealed class TopK(int capacity)
{
    private readonly ScoredSlot[] _heap = new ScoredSlot[capacity];
    private int _count;

    public int Count => _count;

    /// <summary>Minus infinity until full, then the worst kept score. Newcomers have higher slots than ties already kept, so they must beat it strictly.</summary>
    public double Threshold => _count < _heap.Length ? double.NegativeInfinity : _heap[0].Score;

    public bool TryAdd(int slot, double score)
    {
        if (_count < _heap.Length)
        {
            _heap[_count] = new ScoredSlot(slot, score);
            SiftUp(_count++);
            return true;
        }

        if (!Better(new ScoredSlot(slot, score), _heap[0]))
        {
            return false;
        }

        _heap[0] = new ScoredSlot(slot, score);
        SiftDown(0);
        return true;
    }

    public List<ScoredSlot> ToSortedList()
    {
        var list = new List<ScoredSlot>(_count);
        for (var i = 0; i < _count; i++)
        {
            list.Add(_heap[i]);
        }

        list.Sort((x, y) => Better(x, y) ? -1 : Better(y, x) ? 1 : 0);
        return list;
    }

    private static bool Better(ScoredSlot x, ScoredSlot y) => x.Score > y.Score || (x.Score == y.Score && x.Slot < y.Slot);

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Better(_heap[parent], _heap[i]))
            {
                break;
            }

            (_heap[parent], _heap[i]) = (_heap[i], _heap[parent]);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var left = 2 * i + 1;
            if (left >= _count)
            {
                return;
            }

            var worst = left;
            var right = left + 1;
            if (right < _count && Better(_heap[left], _heap[right]))
            {
                worst = right;
            }

            if (!Better(_heap[i], _heap[worst]))
            {
                return;
            }

            (_heap[i], _heap[worst]) = (_heap[worst], _heap[i]);
            i = worst;
        }
    }
}
