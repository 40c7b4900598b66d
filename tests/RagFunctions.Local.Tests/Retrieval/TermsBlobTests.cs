using System.Buffers.Binary;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Retrieval;

namespace RagFunctions.Local.Tests.Retrieval;

public sealed class TermsBlobTests
{
    private const string Text = "The connections were failing; connecting again fixed them. 数据库 Fasilitas naïve café v2.";

    /// <summary>Encodes with a vocabulary that numbers terms in order of first use, as the writer does.</summary>
    private static (byte[] Blob, Dictionary<int, string> Vocabulary) Encode(DocumentTerms terms)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var blob = TermsBlob.Encode(terms, t => ids.TryGetValue(t, out var id) ? id : ids[t] = ids.Count + 100);
        return (blob, ids.ToDictionary(p => p.Value, p => p.Key));
    }

    [Fact]
    public void Round_trips_terms_frequencies_and_length_through_the_vocabulary()
    {
        var original = new TextAnalyzer().AnalyzeForIndex(Text);
        var (blob, stored) = Encode(original);
        var reader = new TextAnalyzer();
        var vocabulary = new TermVocabulary();
        foreach (var (id, term) in stored)
        {
            vocabulary.Add(id, term, reader);
        }

        var decoded = TermsBlob.Decode(blob, vocabulary, reader);

        Assert.NotNull(decoded);
        Assert.Equal(original.Length, decoded.Length);
        Assert.Equal(original.Terms, decoded.Terms);
        Assert.Equal(original.Frequencies, decoded.Frequencies);
        Assert.Same(reader, decoded.KeySpace);
        // Keys are the reader's own: analysing the same text there yields the same key per term.
        var fresh = reader.AnalyzeForIndex(Text);
        Assert.Equal(fresh.Terms.Zip(fresh.Keys!).ToDictionary(p => p.First, p => p.Second),
            decoded.Terms.Zip(decoded.Keys!).ToDictionary(p => p.First, p => p.Second));
    }

    [Fact]
    public void Other_versions_unknown_ids_and_damaged_blobs_decode_to_null()
    {
        var (blob, stored) = Encode(new TextAnalyzer().AnalyzeForIndex(Text));
        var analyzer = new TextAnalyzer();
        var complete = new TermVocabulary();
        var partial = new TermVocabulary();
        foreach (var (id, term) in stored)
        {
            complete.Add(id, term, analyzer);
            if (id % 2 == 0)
            {
                partial.Add(id, term, analyzer);
            }
        }

        var otherVersion = (byte[])blob.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(otherVersion, TextAnalyzer.Version + 1);

        Assert.NotNull(TermsBlob.Decode(blob, complete, analyzer));
        Assert.Null(TermsBlob.Decode(blob, partial, analyzer));
        Assert.Null(TermsBlob.Decode(otherVersion, complete, analyzer));
        Assert.Null(TermsBlob.Decode(blob[..^3], complete, analyzer));
        Assert.Null(TermsBlob.Decode([1, 2], complete, analyzer));
        Assert.Null(TermsBlob.Decode(null, complete, analyzer));
    }
}
