using System.Buffers.Binary;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Local.Retrieval;

/// <summary>The persisted term vocabulary (table <c>search_terms</c>): a stable integer id per term string. Chunks store their
/// analysed terms as ids, so start-up rebuilds the keyword index with array look-ups instead of analysing or hashing text.
/// Ids only grow; terms of deleted chunks stay (a vocabulary entry is a few bytes). Not thread-safe: the index's single
/// writer adds to it, and start-up fills it before any reader exists.</summary>
internal sealed class TermVocabulary
{
    private readonly Dictionary<string, int> _idOf = new(StringComparer.Ordinal);
    private string?[] _byId = new string?[1024];
    private (string Term, int Key)[] _interned = new (string, int)[1024];
    private TextAnalyzer? _analyzer;

    public int NextId { get; private set; }

    public bool TryGetId(string term, out int id) => _idOf.TryGetValue(term, out id);

    /// <summary>Records a committed term. Interning with <paramref name="analyzer"/> (shared string and key, which costs a
    /// stemming pass) is deferred to <see cref="TryGet"/>: the bulk load path only needs the string.</summary>
    public void Add(int id, string term, TextAnalyzer analyzer)
    {
        _analyzer ??= analyzer;
        if (id >= _byId.Length)
        {
            Array.Resize(ref _byId, Math.Max(id + 1, _byId.Length * 2));
        }

        _byId[id] = term;
        _idOf[term] = id;
        NextId = Math.Max(NextId, id + 1);
    }

    /// <summary>The term of a known id (see <see cref="IsKnown"/>).</summary>
    public string TermOf(int id) => _byId[id]!;

    public bool IsKnown(int id) => id >= 0 && id < NextId && _byId[id] is not null;

    public bool TryGet(int id, out (string Term, int Key) entry)
    {
        if (!IsKnown(id))
        {
            entry = default;
            return false;
        }

        if (id >= _interned.Length)
        {
            Array.Resize(ref _interned, Math.Max(id + 1, _interned.Length * 2));
        }

        if (_interned[id].Term is null)
        {
            _interned[id] = _analyzer!.InternTerm(_byId[id]);
        }

        entry = _interned[id];
        return true;
    }
}

/// <summary>A chunk's analysed terms as stored next to it. Layout (little-endian): int32 analyser version, int32 document
/// length, int32 term count, then per term int32 vocabulary id and uint16 frequency. A blob from another analyser version,
/// or naming an unknown id, decodes to null and the chunk is analysed again.</summary>
internal static class TermsBlob
{
    private const int Header = 12;
    private const int PerTerm = 6;

    public static byte[] Encode(DocumentTerms terms, Func<string, int> idOf)
    {
        var blob = new byte[Header + PerTerm * terms.Terms.Length];
        var span = blob.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, TextAnalyzer.Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], terms.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], terms.Terms.Length);
        for (var i = 0; i < terms.Terms.Length; i++)
        {
            var offset = Header + PerTerm * i;
            BinaryPrimitives.WriteInt32LittleEndian(span[offset..], idOf(terms.Terms[i]));
            BinaryPrimitives.WriteUInt16LittleEndian(span[(offset + 4)..], terms.Frequencies[i]);
        }

        return blob;
    }

    /// <summary>True when the blob is well formed, from this analyser version, and names only ids the vocabulary holds.</summary>
    public static bool IsUsable(ReadOnlySpan<byte> blob, TermVocabulary vocabulary)
    {
        if (blob.Length < Header || BinaryPrimitives.ReadInt32LittleEndian(blob) != TextAnalyzer.Version)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(blob[8..]);
        if (count < 0 || blob.Length != Header + PerTerm * (long)count)
        {
            return false;
        }

        for (var offset = Header; offset < blob.Length; offset += PerTerm)
        {
            if (!vocabulary.IsKnown(BinaryPrimitives.ReadInt32LittleEndian(blob[offset..])))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The document length of a usable blob.</summary>
    public static int LengthOf(ReadOnlySpan<byte> blob) => BinaryPrimitives.ReadInt32LittleEndian(blob[4..]);

    /// <summary>The term count of a usable blob.</summary>
    public static int CountOf(ReadOnlySpan<byte> blob) => BinaryPrimitives.ReadInt32LittleEndian(blob[8..]);

    /// <summary>Copies a usable blob's vocabulary ids and frequencies into spans of <see cref="CountOf"/> entries.</summary>
    public static void DecodeInto(ReadOnlySpan<byte> blob, Span<int> ids, Span<ushort> frequencies)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            var entry = blob.Slice(Header + PerTerm * i, PerTerm);
            ids[i] = BinaryPrimitives.ReadInt32LittleEndian(entry);
            frequencies[i] = BinaryPrimitives.ReadUInt16LittleEndian(entry[4..]);
        }
    }

    /// <summary>Null when the blob is missing, malformed, from another analyser version, or names an id the vocabulary lacks.</summary>
    public static DocumentTerms? Decode(byte[]? blob, TermVocabulary vocabulary, TextAnalyzer analyzer)
    {
        if (blob is null || blob.Length < Header || BinaryPrimitives.ReadInt32LittleEndian(blob) != TextAnalyzer.Version)
        {
            return null;
        }

        var span = blob.AsSpan();
        var length = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        if (count < 0 || blob.Length != Header + PerTerm * (long)count)
        {
            return null;
        }

        var terms = new string[count];
        var frequencies = new ushort[count];
        var keys = new int[count];
        for (var i = 0; i < count; i++)
        {
            var offset = Header + PerTerm * i;
            if (!vocabulary.TryGet(BinaryPrimitives.ReadInt32LittleEndian(span[offset..]), out var entry))
            {
                return null;
            }

            (terms[i], keys[i]) = entry;
            frequencies[i] = BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 4)..]);
        }

        return new DocumentTerms(terms, frequencies, length) { Keys = keys, KeySpace = analyzer };
    }
}
