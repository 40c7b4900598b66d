namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>Recognises what a file really is from its first bytes, so a PDF renamed to .txt is refused with a clear
/// reason instead of being indexed as garbage.</summary>
internal static class ContentSniffer
{
    private const int PdfHeaderWindow = 1024;
    private const int BinaryProbeLength = 8192;

    /// <summary>A short human name of the detected format ("PDF", "ZIP archive", ...), "binary data", or null for text.</summary>
    public static string? Detect(ReadOnlySpan<byte> bytes)
    {
        if (IsPdf(bytes))
        {
            return "PDF";
        }

        if (bytes.StartsWith("PK\u0003\u0004"u8) || bytes.StartsWith("PK\u0005\u0006"u8))
        {
            return "ZIP archive (e.g. DOCX)";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        {
            return "legacy Office document";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]))
        {
            return "PNG image";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "JPEG image";
        }

        if (bytes.StartsWith("GIF8"u8))
        {
            return "GIF image";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
        {
            return "gzip archive";
        }

        if (bytes.StartsWith("\u007FELF"u8) || bytes.StartsWith("MZ"u8))
        {
            return "executable";
        }

        if (!TextDecoding.HasUnicodeBom(bytes) && LooksBinary(bytes))
        {
            return "binary data";
        }

        return null;
    }

    /// <summary>The PDF header may be preceded by junk (the spec tolerates it within the first kilobyte).</summary>
    public static bool IsPdf(ReadOnlySpan<byte> bytes) =>
        bytes[..Math.Min(bytes.Length, PdfHeaderWindow)].IndexOf("%PDF-"u8) >= 0;

    private static bool LooksBinary(ReadOnlySpan<byte> bytes)
    {
        var probe = bytes[..Math.Min(bytes.Length, BinaryProbeLength)];
        if (probe.Length == 0)
        {
            return false;
        }

        var suspicious = 0;
        foreach (var b in probe)
        {
            if (b == 0)
            {
                return true;
            }

            if (b < 0x09 || (b > 0x0D && b < 0x20 && b != 0x1B))
            {
                suspicious++;
            }
        }

        return suspicious * 10 > probe.Length;
    }
}
