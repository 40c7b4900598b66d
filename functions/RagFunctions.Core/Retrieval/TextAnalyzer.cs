using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace RagFunctions.Core.Retrieval;

/// <summary>Terms of one analysed chunk and whether it was treated as English (stemmed).</summary>
public sealed record AnalyzedText(IReadOnlyList<string> Terms, bool IsEnglish);

/// <summary>Turns text into index terms: Unicode word breaking, invariant lower-casing, English stop-word removal,
/// and Porter stemming only for English text.</summary>
/// <remarks>
/// Language choice: a chunk is English when at least <see cref="EnglishStopWordRatio"/> of its word tokens (and at least two)
/// are English stop words — English prose runs at 40–50 % with this list, Indonesian at 0–3 %, so Indonesian words such as
/// "fasilitas" or "khusus" are never cut to "fasilita"/"khusu". A query of at least <see cref="MinQueryTokensForDecision"/>
/// words that passes the same test is English (stems only). Any other query is ambiguous — a short one (the usual case), and
/// also a long one without English function words, which may be Indonesian or English written as keywords ("Computerized
/// indexing systems. Computerized retrieval systems."; surface forms only would miss every stemmed English chunk): each
/// word contributes both its surface form and its stem (when they differ). A chunk is indexed under exactly one of the two
/// forms, so the extra form only adds matches in the other language's chunks and never double-counts within one chunk (a
/// stem is never itself the surface form of a different word in the same English chunk, because English chunks contain
/// only stems); Porter only alters words with English suffixes, so few Indonesian words gain a stem at all.
/// Query terms keep their repeats: <see cref="Bm25Index.Search"/> weighs a repeated term by its count.
/// CJK ideographs and kana have no spaces between words: each character is a unigram term and each adjacent pair a bigram
/// term, so a one-character query still matches and a two-character word matches precisely. Thread-safe.
/// </remarks>
public sealed class TextAnalyzer
{
    /// <summary>Changes whenever analysis output changes, so persisted terms from an older analyser are recomputed.</summary>
    /// 3: the Porter stemmer applies its reference implementation's "bli"→"ble" and "logi"→"log" and stems words with digits.
    public const int Version = 3;

    public const double EnglishStopWordRatio = 0.15;
    public const int MinQueryTokensForDecision = 5;
    private const int MaxTokenLength = 64;

    private static readonly FrozenStopWords StopWords = new();

    private readonly ConcurrentDictionary<string, TermEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TermEntry>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _maxCacheEntries;
    private int _cacheEntries;
    private int _nextKey;
    private readonly ConcurrentBag<int[]> _scratch = [];

    /// <param name="maxCacheEntries">Bound on the word cache (surface form, stem, stop flag per distinct word), which also interns term strings.</param>
    public TextAnalyzer(int maxCacheEntries = 1 << 20)
    {
        _maxCacheEntries = maxCacheEntries;
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>True when <paramref name="word"/> (lower case) is on the English stop list.</summary>
    public static bool IsStopWord(ReadOnlySpan<char> word) => StopWords.Contains(word);

    /// <summary>Analyses chunk text for indexing: terms in order (duplicates kept, they are term frequencies).</summary>
    public AnalyzedText AnalyzeDocument(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sink = new ListSink(new List<string>(Math.Min(text.Length / 5 + 4, 4096)));
        var english = Analyze(text, query: false, ref sink);
        return new AnalyzedText(sink.Terms, english);
    }

    /// <summary>Analyses chunk text straight into distinct terms with frequencies, tagged with this analyser's term keys
    /// so <see cref="Bm25Index"/> can skip hashing the strings again.</summary>
    public DocumentTerms AnalyzeForIndex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // A dense key → position table (one per concurrent caller, reused) makes counting an array access.
        if (!_scratch.TryTake(out var table) || table.Length < Volatile.Read(ref _nextKey) + 1024)
        {
            table = new int[Math.Max(Volatile.Read(ref _nextKey) * 2, 1 << 16)];
        }

        var sink = new CountSink(Math.Min(text.Length / 8 + 4, 2048), table);
        try
        {
            Analyze(text, query: false, ref sink);
            return sink.ToDocumentTerms(this);
        }
        finally
        {
            sink.ClearTable();
            _scratch.Add(table);
        }
    }

    /// <summary>Analyses a query: terms in order, repeats kept (they are query term frequencies). Stemmed when the query is
    /// clearly English, both surface form and stem otherwise (short queries, keyword lists, other languages).</summary>
    public IReadOnlyList<string> AnalyzeQuery(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sink = new ListSink([]);
        Analyze(text, query: true, ref sink);
        return sink.Terms;
    }

    /// <summary>The analyser's shared string and key for an already-analysed term (e.g. read back from storage), so reloaded
    /// terms share strings and keys with freshly analysed ones.</summary>
    public (string Term, int Key) InternTerm(ReadOnlySpan<char> term)
    {
        var entry = Entry(term, isWord: true);
        return (entry.Surface, entry.Key);
    }

    private bool Analyze<TSink>(string text, bool query, ref TSink sink)
        where TSink : struct, ITermSink
    {
        var lowered = ArrayPool<char>.Shared.Rent(Math.Max(text.Length, 1));
        var tokens = ArrayPool<Token>.Shared.Rent(text.Length * 2 + 2);
        var entries = ArrayPool<TermEntry>.Shared.Rent(text.Length * 2 + 2);
        var tokenCount = 0;
        try
        {
            var chars = lowered.AsSpan(0, text.Length);
            text.AsSpan().ToLowerInvariant(chars);
            tokenCount = Tokenize(chars, tokens);

            var words = 0;
            var stops = 0;
            for (var i = 0; i < tokenCount; i++)
            {
                var entry = Entry(chars.Slice(tokens[i].Start, tokens[i].Length), tokens[i].Kind == TokenKind.Word);
                entries[i] = entry;
                if (tokens[i].Kind == TokenKind.Word)
                {
                    words++;
                    if (entry.IsStopWord)
                    {
                        stops++;
                    }
                }
            }

            var isEnglish = stops >= 2 && stops >= EnglishStopWordRatio * words;
            var ambiguous = query && (words < MinQueryTokensForDecision || !isEnglish);
            for (var i = 0; i < tokenCount; i++)
            {
                var entry = entries[i];
                if (entry.IsStopWord)
                {
                    continue;
                }

                if (ambiguous)
                {
                    sink.Add(entry.Surface, entry.Key);
                    if (!ReferenceEquals(entry.Stemmed, entry.Surface))
                    {
                        sink.Add(entry.Stemmed, entry.StemmedKey);
                    }
                }
                else if (isEnglish)
                {
                    sink.Add(entry.Stemmed, entry.StemmedKey);
                }
                else
                {
                    sink.Add(entry.Surface, entry.Key);
                }
            }

            return isEnglish;
        }
        finally
        {
            Array.Clear(entries, 0, tokenCount);
            ArrayPool<TermEntry>.Shared.Return(entries);
            ArrayPool<Token>.Shared.Return(tokens);
            ArrayPool<char>.Shared.Return(lowered);
        }
    }

    /// <summary>One cache lookup per token gives the stop flag, the surface string, the stem and their keys.
    /// A key identifies a term string within this analyser (dense ints; -1 once the cache is full).</summary>
    private TermEntry Entry(ReadOnlySpan<char> span, bool isWord)
    {
        if (_lookup.TryGetValue(span, out var cached))
        {
            return cached;
        }

        var surface = new string(span);
        var cacheable = Volatile.Read(ref _cacheEntries) < _maxCacheEntries;
        var key = cacheable ? Interlocked.Increment(ref _nextKey) - 1 : -1;
        var stemmed = surface;
        var stemmedKey = key;
        if (isWord && PorterStemmer.Stem(span) is { } stem)
        {
            var stemEntry = Entry(stem, isWord: true);
            stemmed = stemEntry.Surface;
            stemmedKey = stemEntry.Key;
        }

        var entry = new TermEntry(surface, stemmed, isWord && StopWords.Contains(span), key, stemmedKey);
        if (!cacheable)
        {
            return entry;
        }

        if (_entries.TryAdd(surface, entry))
        {
            Interlocked.Increment(ref _cacheEntries);
            return entry;
        }

        // Another thread cached the same word first: use its entry so the word keeps one key.
        return _entries[surface];
    }

    private sealed record TermEntry(string Surface, string Stemmed, bool IsStopWord, int Key, int StemmedKey);

    private interface ITermSink
    {
        void Add(string term, int key);
    }

    private readonly struct ListSink(List<string> terms) : ITermSink
    {
        public List<string> Terms { get; } = terms;

        public void Add(string term, int key) => Terms.Add(term);
    }

    /// <summary>Counts terms by key through a dense table (position + 1, 0 = unseen); terms without a key, or with a key
    /// newer than the table, are counted through a dictionary.</summary>
    private struct CountSink(int capacity, int[] table) : ITermSink
    {
        private readonly int[] _table = table;
        private readonly List<string> _terms = new(capacity);
        private readonly List<int> _keys = new(capacity);
        private readonly List<int> _counts = new(capacity);
        private Dictionary<(string, int), int>? _overflow;
        private int _length;

        public void Add(string term, int key)
        {
            _length++;
            if (key >= 0 && key < _table.Length)
            {
                ref var slot = ref _table[key];
                if (slot == 0)
                {
                    slot = _terms.Count + 1;
                    AddTerm(term, key);
                }

                _counts[slot - 1]++;
                return;
            }

            ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_overflow ??= [], (term, key), out var exists);
            if (!exists)
            {
                index = _terms.Count;
                AddTerm(term, key);
            }

            _counts[index]++;
        }

        public readonly void ClearTable()
        {
            foreach (var key in _keys)
            {
                if (key >= 0 && key < _table.Length)
                {
                    _table[key] = 0;
                }
            }
        }

        private readonly void AddTerm(string term, int key)
        {
            _terms.Add(term);
            _keys.Add(key);
            _counts.Add(0);
        }

        public readonly DocumentTerms ToDocumentTerms(object keySpace)
        {
            var frequencies = new ushort[_counts.Count];
            for (var i = 0; i < frequencies.Length; i++)
            {
                frequencies[i] = (ushort)Math.Min(_counts[i], ushort.MaxValue);
            }

            return new DocumentTerms([.. _terms], frequencies, _length) { Keys = [.. _keys], KeySpace = keySpace };
        }
    }

    /// <summary>Splits lower-cased text into word tokens (runs of letters, digits and combining marks) and CJK unigrams + bigrams.</summary>
    internal static int Tokenize(ReadOnlySpan<char> chars, Token[] tokens)
    {
        var count = 0;
        var i = 0;
        var cjkPrevStart = -1;
        var cjkPrevLength = 0;
        while (i < chars.Length)
        {
            var ascii = chars[i];
            if (ascii < 0x80)
            {
                // Fast path: ASCII runs need no rune decoding or Unicode category lookups.
                cjkPrevStart = -1;
                if (!IsAsciiLetterOrDigit(ascii))
                {
                    i++;
                    continue;
                }

                var begin = i++;
                while (i < chars.Length && chars[i] < 0x80 && IsAsciiLetterOrDigit(chars[i]))
                {
                    i++;
                }

                if (i < chars.Length && chars[i] >= 0x80)
                {
                    // A word continuing into non-ASCII letters (e.g. "naïve") goes through the general path.
                    i = ContinueWord(chars, i);
                }

                if (i - begin <= MaxTokenLength)
                {
                    Add(tokens, ref count, begin, i - begin, TokenKind.Word);
                }

                continue;
            }

            if (Rune.DecodeFromUtf16(chars[i..], out var rune, out var consumed) != OperationStatus.Done)
            {
                cjkPrevStart = -1;
                i += Math.Max(consumed, 1);
                continue;
            }

            if (IsCjk(rune.Value))
            {
                Add(tokens, ref count, i, consumed, TokenKind.Cjk);
                if (cjkPrevStart >= 0)
                {
                    Add(tokens, ref count, cjkPrevStart, cjkPrevLength + consumed, TokenKind.Cjk);
                }

                cjkPrevStart = i;
                cjkPrevLength = consumed;
                i += consumed;
                continue;
            }

            cjkPrevStart = -1;
            if (!Rune.IsLetterOrDigit(rune))
            {
                i += consumed;
                continue;
            }

            var start = i;
            i = ContinueWord(chars, i + consumed);
            if (i - start <= MaxTokenLength)
            {
                Add(tokens, ref count, start, i - start, TokenKind.Word);
            }
        }

        return count;

        static void Add(Token[] tokens, ref int count, int start, int length, TokenKind kind)
        {
            // The buffer holds two tokens per character (CJK unigram + bigram), the most any text can produce.
            tokens[count++] = new Token(start, length, kind);
        }
    }

    /// <summary>End of the word that continues at <paramref name="i"/>: letters, digits and combining marks, not CJK.</summary>
    private static int ContinueWord(ReadOnlySpan<char> chars, int i)
    {
        while (i < chars.Length)
        {
            var c = chars[i];
            if (c < 0x80)
            {
                if (!IsAsciiLetterOrDigit(c))
                {
                    break;
                }

                i++;
                continue;
            }

            if (Rune.DecodeFromUtf16(chars[i..], out var next, out var n) != OperationStatus.Done || IsCjk(next.Value)
                || !(Rune.IsLetterOrDigit(next) || IsMark(next)))
            {
                break;
            }

            i += n;
        }

        return i;
    }

    private static bool IsAsciiLetterOrDigit(char c) => char.IsAsciiLetterOrDigit(c);

    private static bool IsMark(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>Han ideographs, kana and CJK compatibility ideographs: scripts written without spaces between words.</summary>
    internal static bool IsCjk(int c) =>
        c is (>= 0x3040 and <= 0x30FF) // Hiragana, Katakana
            or (>= 0x3400 and <= 0x4DBF) // Extension A
            or (>= 0x4E00 and <= 0x9FFF) // Unified ideographs
            or (>= 0xF900 and <= 0xFAFF) // Compatibility ideographs
            or (>= 0xFF66 and <= 0xFF9F) // Half-width katakana
            or (>= 0x20000 and <= 0x3FFFF); // Extensions B+

    internal enum TokenKind : byte
    {
        Word,
        Cjk,
    }

    internal struct Token(int start, int length, TokenKind kind)
    {
        public readonly int Start = start;
        public readonly int Length = length;
        public readonly TokenKind Kind = kind;
    }

    /// <summary>The English stop list (function words); immutable after construction.</summary>
    private sealed class FrozenStopWords
    {
        private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public FrozenStopWords()
        {
            var words = new HashSet<string>(StringComparer.Ordinal)
            {
                "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be",
                "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
                "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he",
                "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
                "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
                "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some",
                "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
                "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
                "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
                "yourselves", "s", "t", "d", "ll", "m", "re", "ve",
            };
            _lookup = words.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public bool Contains(ReadOnlySpan<char> word) => _lookup.Contains(word);
    }
}
