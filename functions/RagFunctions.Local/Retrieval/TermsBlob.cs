using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Local.Retrieval;

/// <summary>Persists a chunk's analysed terms next to it, so start-up rebuilds the keyword index without re-analysing text.
/// Layout (little-endian): int32 analyser version, int32 document length, int32 term count, then per term
/// uint16 frequency, uint16 UTF-8 byte length, bytes. A blob from another analyser version decodes to null (re-analyse).</summary>
internal static class TermsBlob
{
    public static byte[] Encode(DocumentTerms terms)
    {
        var size = 12;
        foreach (var term in terms.Terms)
        {
            size += 4 + Encoding.UTF8.GetByteCount(term);
        }

        var blob = new byte[size];
        var span = blob.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, TextAnalyzer.Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], terms.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], terms.Terms.Length);
        var offset = 12;
        for (var i = 0; i < terms.Terms.Length; i++)
        {
            var written = Encoding.UTF8.GetBytes(terms.Terms[i], span[(offset + 4)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], terms.Frequencies[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(span[(offset + 2)..], checked((ushort)written));
            offset += 4 + written;
        }

        return blob;
    }

    /// <summary>Null when the blob is missing, malformed or from another analyser version.</summary>
    public static DocumentTerms? Decode(byte[]? blob, TextAnalyzer analyzer)
    {
        if (blob is null || blob.Length < 12 || BinaryPrimitives.ReadInt32LittleEndian(blob) != TextAnalyzer.Version)
        {
            return null;
        }

        var span = blob.AsSpan();
        var length = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        if (count < 0 || count > (blob.Length - 12) / 4)
        {
            return null;
        }

        var terms = new string[count];
        var frequencies = new ushort[count];
        var keys = new int[count];
        var chars = ArrayPool<char>.Shared.Rent(256);
        try
        {
            var offset = 12;
            for (var i = 0; i < count; i++)
            {
                if (offset + 4 > blob.Length)
                {
                    return null;
                }

                frequencies[i] = BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);
                int bytes = BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 2)..]);
                if (offset + 4 + bytes > blob.Length)
                {
                    return null;
                }

                if (chars.Length < bytes)
                {
                    ArrayPool<char>.Shared.Return(chars);
                    chars = ArrayPool<char>.Shared.Rent(bytes);
                }

                var n = Encoding.UTF8.GetChars(span.Slice(offset + 4, bytes), chars);
                (terms[i], keys[i]) = analyzer.InternTerm(chars.AsSpan(0, n));
                offset += 4 + bytes;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }

        return new DocumentTerms(terms, frequencies, length) { Keys = keys, KeySpace = analyzer };
    }
}
