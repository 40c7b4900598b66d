using System.Buffers.Binary;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Retrieval;

namespace RagFunctions.Local.Tests.Retrieval;

public sealed class TermsBlobTests
{
    private const string Text = "The connections were failing; connecting again fixed them. 数据库 Fasilitas naïve café v2.";

    [Fact]
    public void Round_trips_terms_frequencies_and_length_into_another_analyser()
    {
        var original = new TextAnalyzer().AnalyzeForIndex(Text);
        var reader = new TextAnalyzer();

        var decoded = TermsBlob.Decode(TermsBlob.Encode(original), reader);

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
    public void Other_versions_and_damaged_blobs_decode_to_null()
    {
        var blob = TermsBlob.Encode(new TextAnalyzer().AnalyzeForIndex(Text));
        var otherVersion = (byte[])blob.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(otherVersion, TextAnalyzer.Version + 1);

        Assert.Null(TermsBlob.Decode(otherVersion, new TextAnalyzer()));
        Assert.Null(TermsBlob.Decode(blob[..^3], new TextAnalyzer()));
        Assert.Null(TermsBlob.Decode([1, 2], new TextAnalyzer()));
        Assert.Null(TermsBlob.Decode(null, new TextAnalyzer()));
    }
}
