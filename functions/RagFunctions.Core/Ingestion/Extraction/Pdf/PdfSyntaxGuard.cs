using System.IO.Compression;

namespace RagFunctions.Core.Ingestion.Extraction.Pdf;

/// <summary>Measures how deeply arrays (<c>[</c>) and dictionaries (<c>&lt;&lt;</c>) nest in PDF syntax before PDFsharp
/// parses it: PDFsharp's object parser and content parser recurse once per level, so 100k nested brackets overflow the
/// stack and kill the process (an overflow cannot be caught). One linear pass; strings, comments, stream bodies and
/// inline-image data are skipped, and compressed object streams (/ObjStm) are inflated within the expansion budget and
/// measured too, since PDFsharp parses their objects the same way.</summary>
internal static class PdfSyntaxGuard
{
    private static ReadOnlySpan<byte> StreamKeyword => "stream"u8;
    private static ReadOnlySpan<byte> EndStreamKeyword => "endstream"u8;

    /// <summary>Checks a whole file (objects; stream bodies skipped except object streams).</summary>
    public static void CheckFile(ReadOnlySpan<byte> file, IngestionLimits limits) => Check(file, limits, content: false, "object");

    /// <summary>Checks one decoded content stream (page or form XObject).</summary>
    public static void CheckContent(ReadOnlySpan<byte> content, IngestionLimits limits) => Check(content, limits, content: true, "content-stream");

    private static void Check(ReadOnlySpan<byte> data, IngestionLimits limits, bool content, string where)
    {
        var depth = 0;
        var lastObject = 0;
        for (var i = 0; i < data.Length; i++)
        {
            switch (data[i])
            {
                case (byte)'%':
                    while (i + 1 < data.Length && data[i + 1] is not (byte)'\n' and not (byte)'\r')
                    {
                        i++;
                    }

                    break;
                case (byte)'(':
                    i = SkipLiteralString(data, i);
                    break;
                case (byte)'<' when i + 1 < data.Length && data[i + 1] == '<':
                    i++;
                    depth++;
                    break;
                case (byte)'<':
                    var close = data[i..].IndexOf((byte)'>');
                    i = close < 0 ? data.Length : i + close;
                    break;
                case (byte)'>' when i + 1 < data.Length && data[i + 1] == '>':
                    i++;
                    depth = Math.Max(0, depth - 1);
                    break;
                case (byte)'[':
                    depth++;
                    break;
                case (byte)']':
                    depth = Math.Max(0, depth - 1);
                    break;
                case (byte)'o' when !content && IsKeyword(data, i, "obj"u8):
                    lastObject = i;
                    break;
                case (byte)'s' when !content && IsKeyword(data, i, StreamKeyword):
                    var bodyStart = i + StreamKeyword.Length;
                    var end = data[bodyStart..].IndexOf(EndStreamKeyword);
                    var bodyEnd = end < 0 ? data.Length : bodyStart + end;
                    var header = data[lastObject..i];
                    if (header.IndexOf("/ObjStm"u8) >= 0)
                    {
                        CheckObjectStream(header, data[bodyStart..bodyEnd], limits);
                    }

                    i = end < 0 ? data.Length : bodyEnd + EndStreamKeyword.Length - 1;
                    break;
                case (byte)'I' when content && IsKeyword(data, i, "ID"u8):
                    // Inline image data is binary and ends at the first whitespace-delimited EI.
                    i = SkipInlineImage(data, i + 2);
                    break;
            }

            if (depth > limits.MaxNestingDepth)
            {
                throw new ExtractionFailedException(IngestionLimits.Breach(
                    $"PDF {where} nesting", limits.MaxNestingDepth, nameof(IngestionLimits.MaxNestingDepth), " levels"));
            }
        }
    }

    private static void CheckObjectStream(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, IngestionLimits limits)
    {
        if (header.IndexOf("/FlateDecode"u8) < 0)
        {
            Check(body, limits, content: false, "object");
            return;
        }

        var start = body.Length > 0 && body[0] == '\r' ? 1 : 0;
        start += body.Length > start && body[start] == '\n' ? 1 : 0;
        byte[] inflated;
        try
        {
            inflated = PdfStreamDecoding.Inflate(body[start..].ToArray(), limits);
        }
        catch (InvalidDataException)
        {
            // PDFsharp reports a damaged object stream itself.
            return;
        }

        Check(inflated, limits, content: false, "object");
    }

    private static int SkipLiteralString(ReadOnlySpan<byte> data, int open)
    {
        var nesting = 0;
        for (var i = open; i < data.Length; i++)
        {
            switch (data[i])
            {
                case (byte)'\\':
                    i++;
                    break;
                case (byte)'(':
                    nesting++;
                    break;
                case (byte)')':
                    if (--nesting == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        return data.Length;
    }

    private static int SkipInlineImage(ReadOnlySpan<byte> data, int from)
    {
        for (var i = from; i + 1 < data.Length; i++)
        {
            if (data[i] == 'E' && data[i + 1] == 'I' && i > 0 && IsWhiteSpace(data[i - 1])
                && (i + 2 == data.Length || IsWhiteSpace(data[i + 2])))
            {
                return i + 1;
            }
        }

        return data.Length;
    }

    /// <summary>A keyword token: preceded by a delimiter or whitespace and followed by one (or the end).</summary>
    private static bool IsKeyword(ReadOnlySpan<byte> data, int at, ReadOnlySpan<byte> keyword)
    {
        if (!data[at..].StartsWith(keyword))
        {
            return false;
        }

        var before = at == 0 || IsWhiteSpace(data[at - 1]) || IsDelimiter(data[at - 1]);
        var after = at + keyword.Length;
        return before && (after == data.Length || IsWhiteSpace(data[after]) || IsDelimiter(data[after]));
    }

    private static bool IsWhiteSpace(byte b) => b is 0 or 9 or 10 or 12 or 13 or 32;

    private static bool IsDelimiter(byte b) => b is (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']'
        or (byte)'{' or (byte)'}' or (byte)'/' or (byte)'%';
}

/// <summary>Decodes stream data without letting a small compressed stream expand without bound.</summary>
internal static class PdfStreamDecoding
{
    public static byte[] Inflate(byte[] compressed, IngestionLimits limits)
    {
        using var input = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            if (output.Length + read > limits.MaxExpandedBytes)
            {
                throw new ExtractionFailedException(IngestionLimits.Breach(
                    "a decoded PDF stream", limits.MaxExpandedBytes, nameof(IngestionLimits.MaxExpandedBytes), " bytes"));
            }

            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }
}
