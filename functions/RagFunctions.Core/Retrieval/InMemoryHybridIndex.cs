using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Core.Retrieval;

/// <summary>The local query engine: BM25 (<see cref="Bm25Index"/>) and int8 vectors (<see cref="VectorIndex"/>) over the same chunks,
/// fused with <see cref="ReciprocalRankFusion"/>; filters by document and principal.</summary>
/// <remarks>
/// Concurrency: any number of readers and writers may call in; writers are serialised. A writer analyses and normalises the
/// new chunks first (no lock readers wait on), then removes the document's old chunks and adds the new ones inside one write
/// lock, so a query sees all old or all new chunks of a document — never a mix, never none. Queries hold the read lock for
/// the scan only (query analysis happens before). Each chunk gets a fresh slot; slots only grow, so a re-ingested document's
/// chunks sort after all others (postings stay append-only).
/// </remarks>
public sealed class InMemoryHybridIndex : IDisposable
{
    /// <summary>Largest <see cref="HybridQuery.Top"/> served.</summary>
    public const int MaxTop = 1000;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _writerGate = new();
    private readonly Bm25Index _keyword = new();
    private readonly VectorIndex _vector;
    private readonly Dictionary<string, DocumentEntry> _documents = new(StringComparer.Ordinal);
    private DocumentChunk?[] _chunks = new DocumentChunk?[1024];
    private long[] _handles = new long[1024];
    private ChunkAccess?[] _access = new ChunkAccess?[1024];
    private int[] _documentOfSlot = new int[1024];
    private int _nextSlot;
    private int _nextDocumentNumber;
    private int _liveChunks;

    public InMemoryHybridIndex(int dimensions, TextAnalyzer? analyzer = null, ScoreFusion? fusion = null)
    {
        _vector = new VectorIndex(dimensions);
        Fusion = fusion ?? ScoreFusion.Default;
        Analyzer = analyzer ?? new TextAnalyzer();
    }

    public int Dimensions => _vector.Dimensions;

    public TextAnalyzer Analyzer { get; }

    /// <summary>How keyword and vector rankings are fused (set by the host from the active embedder).</summary>
    public ScoreFusion Fusion { get; }

    public int DocumentCount
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _documents.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    public int ChunkCount
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _liveChunks;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Makes <paramref name="chunks"/> the document's only chunks (empty = delete), atomically for readers.</summary>
    /// <exception cref="ArgumentException">A chunk belongs to another document, or a vector has the wrong dimensions.</exception>
    public void ReplaceDocument(string documentId, IReadOnlyList<IndexedChunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ReplaceDocument(documentId, new PreparedBatch(PrepareChunks(chunks, null, parallel: false)));
    }

    /// <summary>As <see cref="ReplaceDocument(string, IReadOnlyList{IndexedChunk})"/>, with chunks analysed beforehand by <see cref="Prepare"/>.</summary>
    public void ReplaceDocument(string documentId, PreparedBatch batch)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        ArgumentNullException.ThrowIfNull(batch);
        var prepared = batch.Chunks;
        foreach (var chunk in prepared)
        {
            if (!string.Equals(chunk.Chunk.DocumentId, documentId, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Chunk '{chunk.Chunk.Id}' belongs to document '{chunk.Chunk.DocumentId}', not '{documentId}'.", nameof(batch));
            }
        }

        lock (_writerGate)
        {
            _lock.EnterWriteLock();
            try
            {
                RemoveLocked(documentId);
                AddLocked(documentId, prepared, 0, prepared.Length);
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
    }

    /// <summary>Removes every chunk of the document; false when it had none.</summary>
    public bool DeleteDocument(string documentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        lock (_writerGate)
        {
            _lock.EnterWriteLock();
            try
            {
                return RemoveLocked(documentId);
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
    }

    /// <summary>Bulk load (start-up): analyses on all cores, then adds. Chunks are grouped by document (in order of first
    /// appearance); each document present replaces any chunks already held for it.</summary>
    public void Load(IReadOnlyList<IndexedChunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        Load([new PreparedBatch(PrepareChunks(chunks, null, parallel: true))]);
    }

    /// <summary>Analyses and validates chunks for a later <see cref="Load(IReadOnlyList{PreparedBatch})"/> or
    /// <see cref="ReplaceDocument(string, PreparedBatch)"/> without taking any lock, so a loader can analyse one batch while it
    /// reads the next. Thread-safe.</summary>
    /// <param name="terms">Terms analysed earlier (e.g. persisted), aligned with <paramref name="chunks"/>; a null entry is analysed now.</param>
    public PreparedBatch Prepare(IReadOnlyList<IndexedChunk> chunks, IReadOnlyList<DocumentTerms?>? terms = null)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        if (terms is not null && terms.Count != chunks.Count)
        {
            throw new ArgumentException("terms must align with chunks.", nameof(terms));
        }

        return new PreparedBatch(PrepareChunks(chunks, terms, parallel: false));
    }

    /// <summary>Bulk load of prepared batches (see <see cref="Load(IReadOnlyList{IndexedChunk})"/> for grouping rules).</summary>
    public void Load(IReadOnlyList<PreparedBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        lock (_writerGate)
        {
            // Group by document in order of first appearance, keeping the given chunk order within a document.
            var prepared = batches.SelectMany(b => b.Chunks).GroupBy(c => c.Chunk.DocumentId, StringComparer.Ordinal)
                .SelectMany(g => g).ToArray();
            _lock.EnterWriteLock();
            try
            {
                var start = 0;
                var slots = new int[prepared.Length];
                while (start < prepared.Length)
                {
                    var documentId = prepared[start].Chunk.DocumentId;
                    var end = start + 1;
                    while (end < prepared.Length && string.Equals(prepared[end].Chunk.DocumentId, documentId, StringComparison.Ordinal))
                    {
                        end++;
                    }

                    RemoveLocked(documentId);
                    RegisterLocked(documentId, prepared, start, end - start, slots);
                    start = end;
                }

                // The two indexes are independent: build them side by side.
                Parallel.Invoke(
                    () =>
                    {
                        for (var i = 0; i < prepared.Length; i++)
                        {
                            _keyword.Add(slots[i], prepared[i].Terms);
                        }
                    },
                    () =>
                    {
                        for (var i = 0; i < prepared.Length; i++)
                        {
                            if (!prepared[i].Vector.IsEmpty)
                            {
                                _vector.Add(slots[i], prepared[i].Vector.Span);
                            }
                        }
                    });
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
    }

    /// <summary>Bulk load by handle (start-up from a store): chunks arrive column-wise in a <see cref="BulkChunks"/> and are
    /// held without their content (see <see cref="SearchRanked"/>). Each document present replaces any chunks already held for it.</summary>
    public void LoadBulk(BulkChunks bulk)
    {
        ArgumentNullException.ThrowIfNull(bulk);
        if (bulk.Dimensions != Dimensions)
        {
            throw new ArgumentException($"The bulk has {bulk.Dimensions} dimensions; the index has {Dimensions}.", nameof(bulk));
        }

        lock (_writerGate)
        {
            _lock.EnterWriteLock();
            try
            {
                var count = bulk.Count;
                var slots = new int[count];
                var start = 0;
                while (start < count)
                {
                    var documentId = bulk.DocumentIds[start];
                    var end = start + 1;
                    while (end < count && string.Equals(bulk.DocumentIds[end], documentId, StringComparison.Ordinal))
                    {
                        end++;
                    }

                    RemoveLocked(documentId);
                    var number = _nextDocumentNumber++;
                    var documentSlots = new int[end - start];
                    for (var i = start; i < end; i++)
                    {
                        var slot = _nextSlot++;
                        EnsureCapacity(slot);
                        _chunks[slot] = null;
                        _handles[slot] = bulk.Handles[i];
                        _access[slot] = bulk.Access[i];
                        _documentOfSlot[slot] = number;
                        slots[i] = slot;
                        documentSlots[i - start] = slot;
                    }

                    _documents[documentId] = new DocumentEntry(number, documentSlots);
                    _liveChunks += end - start;
                    start = end;
                }

                var vectorSlots = new int[bulk.VectorCount];
                for (var i = 0; i < count; i++)
                {
                    if (bulk.VectorRowOf[i] >= 0)
                    {
                        vectorSlots[bulk.VectorRowOf[i]] = slots[i];
                    }
                }

                // The two indexes are independent: build them side by side.
                Parallel.Invoke(
                    () => _keyword.AddBulk(slots, bulk.Lengths.AsSpan(0, count), bulk.TermStart.AsSpan(0, count + 1), bulk.TermKeys,
                        bulk.Frequencies, bulk.TermOfKey),
                    () => _vector.AddBulk(vectorSlots, bulk.Vectors));
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
    }

    /// <summary>Hybrid search: keyword and/or vector (whichever the query has), each retriever's top max(50, Top), fused by RRF.</summary>
    /// <exception cref="InvalidOperationException">A hit was added by handle only (see <see cref="SearchRanked"/>).</exception>
    public IReadOnlyList<SearchHit> Search(HybridQuery query)
    {
        var ranked = SearchRanked(query);
        var hits = new SearchHit[ranked.Count];
        for (var i = 0; i < hits.Length; i++)
        {
            var r = ranked[i];
            var chunk = r.Chunk ?? throw new InvalidOperationException($"Chunk {r.Handle} is held by handle only; resolve it with SearchRanked.");
            hits[i] = new SearchHit(chunk, r.Score, r.FoundBy, r.KeywordRank, r.VectorRank);
        }

        return hits;
    }

    /// <summary>As <see cref="Search"/>, but a hit carries the chunk's handle and, when the chunk was added with its content,
    /// the chunk itself; a caller that added chunks by handle fetches those hits' content from its own store.</summary>
    public IReadOnlyList<RankedChunk> SearchRanked(HybridQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Top, 1);
        var top = Math.Min(query.Top, MaxTop);
        if (!query.Vector.IsEmpty && query.Vector.Length != Dimensions)
        {
            throw new ArgumentException($"Query vector has {query.Vector.Length} dimensions; the index has {Dimensions}.", nameof(query));
        }

        var terms = string.IsNullOrWhiteSpace(query.Text) ? [] : Analyzer.AnalyzeQuery(query.Text);
        if (terms.Count == 0 && query.Vector.IsEmpty)
        {
            return [];
        }

        var depth = ReciprocalRankFusion.RetrieverDepth(top);
        var principals = query.Filter?.PrincipalIds is { } ids ? new HashSet<string>(ids, StringComparer.Ordinal) : null;

        _lock.EnterReadLock();
        try
        {
            var accept = BuildFilterLocked(query.Filter?.DocumentId, principals, out var matchesNothing);
            if (matchesNothing)
            {
                return [];
            }

            var keyword = terms.Count > 0 ? _keyword.Search(terms, depth, accept) : [];
            var vector = query.Vector.IsEmpty ? [] : _vector.Search(query.Vector.Span, depth, accept);
            var fused = Fusion.Fuse(Scored(keyword), Scored(vector), top);
            var hits = new RankedChunk[fused.Count];
            for (var i = 0; i < fused.Count; i++)
            {
                var f = fused[i];
                hits[i] = new RankedChunk(_handles[f.Key], _chunks[f.Key], f.Score, f.FoundBy, f.KeywordRank, f.VectorRank);
            }

            return hits;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Keyword-only ranking (BM25 scores), for diagnostics and benchmarks.</summary>
    public IReadOnlyList<(DocumentChunk Chunk, double Score)> SearchKeyword(string text, int top, SearchFilter? filter = null) =>
        SearchOne(filter, accept => _keyword.Search(Analyzer.AnalyzeQuery(text), top, accept));

    /// <summary>Vector-only ranking (cosine), for diagnostics and benchmarks.</summary>
    public IReadOnlyList<(DocumentChunk Chunk, double Score)> SearchVector(ReadOnlyMemory<float> vector, int top, SearchFilter? filter = null) =>
        SearchOne(filter, accept => _vector.Search(vector.Span, top, accept));

    /// <summary>Each retriever's own ranking with raw scores (BM25; cosine), as caller handles — for tuning fusion offline.</summary>
    internal (List<(long Handle, double Score)> Keyword, List<(long Handle, double Score)> Vector) RankEach(string text, ReadOnlyMemory<float> vector, int depth)
    {
        _lock.EnterReadLock();
        try
        {
            var terms = string.IsNullOrWhiteSpace(text) ? [] : Analyzer.AnalyzeQuery(text);
            var keyword = terms.Count > 0 ? _keyword.Search(terms, depth, null) : [];
            var vectors = vector.IsEmpty ? [] : _vector.Search(vector.Span, depth, null);
            return (keyword.Select(s => (_handles[s.Slot], s.Score)).ToList(), vectors.Select(s => (_handles[s.Slot], s.Score)).ToList());
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose() => _lock.Dispose();

    private IReadOnlyList<(DocumentChunk Chunk, double Score)> SearchOne(SearchFilter? filter, Func<Func<int, bool>?, IReadOnlyList<ScoredSlot>> search)
    {
        var principals = filter?.PrincipalIds is { } ids ? new HashSet<string>(ids, StringComparer.Ordinal) : null;
        _lock.EnterReadLock();
        try
        {
            var accept = BuildFilterLocked(filter?.DocumentId, principals, out var matchesNothing);
            return matchesNothing ? [] : search(accept)
                .Select(s => (_chunks[s.Slot] ?? throw new InvalidOperationException("Diagnostics need chunks added with their content."), s.Score))
                .ToArray();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private static (int Key, double Score)[] Scored(IReadOnlyList<ScoredSlot> ranked)
    {
        var scored = new (int, double)[ranked.Count];
        for (var i = 0; i < scored.Length; i++)
        {
            scored[i] = (ranked[i].Slot, ranked[i].Score);
        }

        return scored;
    }

    /// <summary>Null principals = no security trimming; an empty set = public chunks only.</summary>
    private Func<int, bool>? BuildFilterLocked(string? documentId, HashSet<string>? principals, out bool matchesNothing)
    {
        matchesNothing = false;
        var access = _access;
        var documentOfSlot = _documentOfSlot;
        var documentNumber = -1;
        if (documentId is not null)
        {
            if (!_documents.TryGetValue(documentId, out var entry))
            {
                matchesNothing = true;
                return null;
            }

            documentNumber = entry.Number;
        }

        return (documentNumber, principals) switch
        {
            (< 0, null) => null,
            (_, null) => slot => documentOfSlot[slot] == documentNumber,
            (< 0, _) => slot => IsVisible(access[slot], principals),
            _ => slot => documentOfSlot[slot] == documentNumber && IsVisible(access[slot], principals),
        };
    }

    private static bool IsVisible(ChunkAccess? access, HashSet<string> principals)
    {
        if (access is null)
        {
            return true;
        }

        foreach (var id in access.OwnerIds)
        {
            if (principals.Contains(id))
            {
                return true;
            }
        }

        foreach (var id in access.GroupIds)
        {
            if (principals.Contains(id))
            {
                return true;
            }
        }

        return false;
    }

    private PreparedChunk[] PrepareChunks(IReadOnlyList<IndexedChunk> chunks, IReadOnlyList<DocumentTerms?>? terms, bool parallel)
    {
        var prepared = new PreparedChunk[chunks.Count];
        void PrepareOne(int i)
        {
            var chunk = chunks[i];
            if (!chunk.Vector.IsEmpty && chunk.Vector.Length != Dimensions)
            {
                throw new ArgumentException($"Chunk '{chunk.Chunk.Id}' has a {chunk.Vector.Length}-dimension vector; the index has {Dimensions}.", nameof(chunks));
            }

            prepared[i] = new PreparedChunk(chunk.Chunk, terms?[i] ?? Analyzer.AnalyzeForIndex(ChunkContext.Contextualise(chunk.Chunk)), chunk.Vector, -1);
        }

        if (parallel && chunks.Count > 256)
        {
            Parallel.For(0, chunks.Count, PrepareOne);
        }
        else
        {
            for (var i = 0; i < chunks.Count; i++)
            {
                PrepareOne(i);
            }
        }

        return prepared;
    }

    private void AddLocked(string documentId, PreparedChunk[] prepared, int start, int count)
    {
        var slots = new int[prepared.Length];
        RegisterLocked(documentId, prepared, start, count, slots);
        for (var i = start; i < start + count; i++)
        {
            _keyword.Add(slots[i], prepared[i].Terms);
            if (!prepared[i].Vector.IsEmpty)
            {
                _vector.Add(slots[i], prepared[i].Vector.Span);
            }
        }
    }

    /// <summary>Gives the chunks slots and records the document; the caller then adds them to both indexes.</summary>
    private void RegisterLocked(string documentId, PreparedChunk[] prepared, int start, int count, int[] slots)
    {
        if (count == 0)
        {
            return;
        }

        var number = _nextDocumentNumber++;
        var documentSlots = new int[count];
        for (var i = 0; i < count; i++)
        {
            var slot = _nextSlot++;
            EnsureCapacity(slot);
            var item = prepared[start + i];
            // A chunk with a handle is fetched from the caller's store when it is a hit: memory holds only what ranking needs.
            _chunks[slot] = item.Handle >= 0 ? null : item.Chunk;
            _handles[slot] = item.Handle;
            _access[slot] = ChunkAccess.Of(item.Chunk);
            _documentOfSlot[slot] = number;
            slots[start + i] = slot;
            documentSlots[i] = slot;
        }

        _documents[documentId] = new DocumentEntry(number, documentSlots);
        _liveChunks += count;
    }

    private bool RemoveLocked(string documentId)
    {
        if (!_documents.Remove(documentId, out var entry))
        {
            return false;
        }

        foreach (var slot in entry.Slots)
        {
            _keyword.Remove(slot);
            _vector.Remove(slot);
            _chunks[slot] = null;
            _access[slot] = null;
            _documentOfSlot[slot] = -1;
        }

        _liveChunks -= entry.Slots.Length;
        return true;
    }

    private void EnsureCapacity(int slot)
    {
        if (slot < _chunks.Length)
        {
            return;
        }

        var size = Math.Max(slot + 1, _chunks.Length * 2);
        Array.Resize(ref _chunks, size);
        Array.Resize(ref _handles, size);
        Array.Resize(ref _access, size);
        Array.Resize(ref _documentOfSlot, size);
    }

    private sealed record DocumentEntry(int Number, int[] Slots);

    internal readonly record struct PreparedChunk(DocumentChunk Chunk, DocumentTerms Terms, ReadOnlyMemory<float> Vector, long Handle);

    /// <summary>Chunks analysed by <see cref="Prepare"/>, ready for a bulk load.</summary>
    public sealed class PreparedBatch
    {
        internal PreparedBatch(PreparedChunk[] chunks) => Chunks = chunks;

        public int Count => Chunks.Length;

        /// <summary>The analysed terms of chunk <paramref name="index"/> (for persisting them next to the chunk).</summary>
        public DocumentTerms TermsOf(int index) => Chunks[index].Terms;

        internal PreparedChunk[] Chunks { get; }

        /// <summary>Gives every chunk a caller handle (≥ 0, e.g. a database row id): the index then keeps only what ranking needs
        /// and <see cref="SearchRanked"/> returns the handle instead of the chunk. Call before the batch is added.</summary>
        public void AssignHandles(ReadOnlySpan<long> handles)
        {
            if (handles.Length != Chunks.Length)
            {
                throw new ArgumentException("One handle per chunk.", nameof(handles));
            }

            for (var i = 0; i < handles.Length; i++)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(handles[i]);
                Chunks[i] = Chunks[i] with { Handle = handles[i] };
            }
        }
    }
}

/// <summary>A ranked hit of <see cref="InMemoryHybridIndex.SearchRanked"/>: the caller's handle (−1 when none was given) and
/// the chunk when the index holds it.</summary>
public readonly record struct RankedChunk(long Handle, DocumentChunk? Chunk, double Score, Retrievers FoundBy, int? KeywordRank, int? VectorRank);

/// <summary>Who may see a chunk (security trimming); chunks without owners and groups are public and have none.</summary>
public sealed record ChunkAccess(IReadOnlyList<string> OwnerIds, IReadOnlyList<string> GroupIds)
{
    public static ChunkAccess? Of(DocumentChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return chunk.OwnerIds.Count == 0 && chunk.GroupIds.Count == 0 ? null : new ChunkAccess(chunk.OwnerIds, chunk.GroupIds);
    }
}

/// <summary>Column-wise chunks for <see cref="InMemoryHybridIndex.LoadBulk"/>: per chunk its document, handle, access and
/// terms (as caller keys that <see cref="TermOfKey"/> names), with all vectors in one matrix. Arrays grow by doubling, so a
/// loader appends rows without allocating per row. Chunks of a document must be added consecutively.</summary>
public sealed class BulkChunks
{
    private readonly HashSet<string> _finishedDocuments = new(StringComparer.Ordinal);

    public BulkChunks(int dimensions, Func<int, string> termOfKey, int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentNullException.ThrowIfNull(termOfKey);
        Dimensions = dimensions;
        TermOfKey = termOfKey;
        capacity = Math.Max(capacity, 16);
        DocumentIds = new string[capacity];
        Handles = new long[capacity];
        Access = new ChunkAccess?[capacity];
        Lengths = new int[capacity];
        VectorRowOf = new int[capacity];
        TermStart = new int[capacity + 1];
        TermKeys = new int[capacity * 64];
        Frequencies = new ushort[capacity * 64];
        Vectors = new float[capacity * dimensions];
    }

    public int Dimensions { get; }

    public int Count { get; private set; }

    /// <summary>Chunks with a vector.</summary>
    public int VectorCount { get; private set; }

    /// <summary>Names a term key given to <see cref="Add"/>.</summary>
    public Func<int, string> TermOfKey { get; }

    internal string[] DocumentIds { get; private set; }

    internal long[] Handles { get; private set; }

    internal ChunkAccess?[] Access { get; private set; }

    internal int[] Lengths { get; private set; }

    internal int[] VectorRowOf { get; private set; }

    internal int[] TermStart { get; private set; }

    internal int[] TermKeys { get; private set; }

    internal ushort[] Frequencies { get; private set; }

    internal float[] Vectors { get; private set; }

    /// <summary>Adds a chunk; returns where to write its vector (empty when <paramref name="hasVector"/> is false), and where
    /// to write its <paramref name="termCount"/> term keys and frequencies.</summary>
    public void Add(string documentId, long handle, ChunkAccess? access, int length, int termCount, bool hasVector,
        out Span<int> termKeys, out Span<ushort> frequencies, out Span<float> vector)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        ArgumentOutOfRangeException.ThrowIfNegative(termCount);
        var index = Count;
        if (index > 0 && !string.Equals(DocumentIds[index - 1], documentId, StringComparison.Ordinal))
        {
            if (!_finishedDocuments.Add(DocumentIds[index - 1]) || _finishedDocuments.Contains(documentId))
            {
                throw new InvalidOperationException($"Chunks of document '{documentId}' must be added consecutively.");
            }
        }

        if (index == DocumentIds.Length)
        {
            var size = index * 2;
            DocumentIds = Resized(DocumentIds, size);
            Handles = Resized(Handles, size);
            Access = Resized(Access, size);
            Lengths = Resized(Lengths, size);
            VectorRowOf = Resized(VectorRowOf, size);
            TermStart = Resized(TermStart, size + 1);
        }

        var termOffset = TermStart[index];
        if (termOffset + termCount > TermKeys.Length)
        {
            var size = Math.Max(termOffset + termCount, TermKeys.Length * 2);
            TermKeys = Resized(TermKeys, size);
            Frequencies = Resized(Frequencies, size);
        }

        DocumentIds[index] = documentId;
        Handles[index] = handle;
        Access[index] = access;
        Lengths[index] = length;
        TermStart[index + 1] = termOffset + termCount;
        termKeys = TermKeys.AsSpan(termOffset, termCount);
        frequencies = Frequencies.AsSpan(termOffset, termCount);
        if (hasVector)
        {
            var row = VectorCount++;
            if ((long)VectorCount * Dimensions > Vectors.Length)
            {
                Vectors = Resized(Vectors, (int)Math.Min(Array.MaxLength, (long)Vectors.Length * 2));
            }

            VectorRowOf[index] = row;
            vector = Vectors.AsSpan(row * Dimensions, Dimensions);
        }
        else
        {
            VectorRowOf[index] = -1;
            vector = [];
        }

        Count = index + 1;
    }

    /// <summary>Drops the last chunk's terms beyond <paramref name="termCount"/> (a loader that found fewer than it reserved).</summary>
    public void TrimLastTerms(int termCount)
    {
        if (Count == 0 || termCount < 0 || TermStart[Count - 1] + termCount > TermStart[Count])
        {
            throw new ArgumentOutOfRangeException(nameof(termCount));
        }

        TermStart[Count] = TermStart[Count - 1] + termCount;
    }

    private static T[] Resized<T>(T[] array, int size)
    {
        Array.Resize(ref array, size);
        return array;
    }
}
