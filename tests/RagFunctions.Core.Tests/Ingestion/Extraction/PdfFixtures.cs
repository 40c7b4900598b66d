using System.Globalization;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using RagFunctions.Core.Ingestion.Extraction.Pdf;

namespace RagFunctions.Core.Tests.Ingestion.Extraction;

/// <summary>Serves DejaVu Sans (fonts-dejavu-core, installed by scripts/setup-test-deps.sh) to PDFsharp, which has no
/// access to system fonts on Linux.</summary>
internal sealed class DejaVuFontResolver : IFontResolver
{
    public const string Regular = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    public const string Bold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold && File.Exists(Bold) ? "DejaVuSans-Bold" : "DejaVuSans");

    public byte[]? GetFont(string faceName) =>
        File.ReadAllBytes(faceName == "DejaVuSans-Bold" ? Bold : Regular);
}

/// <summary>Builds test PDFs: real ones rendered by PDFsharp, and minimal hand-written ones whose every byte we control.</summary>
internal static class PdfFixtures
{
    private static readonly Lock Gate = new();
    private static bool _initialised;

    /// <summary>PDFsharp's font resolver is process-wide and can be set once.</summary>
    public static void EnsurePdfSharp()
    {
        lock (Gate)
        {
            if (_initialised)
            {
                return;
            }

            if (GlobalFontSettings.FontResolver is null)
            {
                GlobalFontSettings.FontResolver = new DejaVuFontResolver();
            }

            _initialised = true;
        }
    }

    /// <summary>A PDF rendered by PDFsharp: one page per entry, each with a large heading and body lines.</summary>
    public static byte[] Rendered(string title, IReadOnlyList<(string Heading, string[] Lines)> pages)
    {
        EnsurePdfSharp();
        using var document = new PdfDocument();
        document.Info.Title = title;
        var headingFont = new XFont("DejaVu Sans", 20, XFontStyleEx.Bold);
        var bodyFont = new XFont("DejaVu Sans", 11);
        foreach (var (heading, lines) in pages)
        {
            var page = document.AddPage();
            using var gfx = XGraphics.FromPdfPage(page);
            gfx.DrawString(heading, headingFont, XBrushes.Black, new XPoint(72, 90));
            var y = 130.0;
            foreach (var line in lines)
            {
                gfx.DrawString(line, bodyFont, XBrushes.Black, new XPoint(72, y));
                y += 14;
            }
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>Writes a PDF from object bodies (object i+1 = bodies[i]; object 1 must be the catalog), computing the
    /// cross-reference table. Streams are given as (dictionary-without-Length, data).</summary>
    public static byte[] HandWritten(params object[] bodies)
    {
        var output = new MemoryStream();
        void Write(string s) => output.Write(Encoding.Latin1.GetBytes(s));

        Write("%PDF-1.4\n%\u00E2\u00E3\u00CF\u00D3\n");
        var offsets = new List<long>();
        for (var i = 0; i < bodies.Length; i++)
        {
            offsets.Add(output.Position);
            Write($"{i + 1} 0 obj\n");
            switch (bodies[i])
            {
                case string dictionary:
                    Write(dictionary);
                    break;
                case (string dictionary, string data):
                    var bytes = Encoding.Latin1.GetBytes(data);
                    Write(dictionary.TrimEnd().TrimEnd('>').TrimEnd('>') + $" /Length {bytes.Length} >>\nstream\n");
                    output.Write(bytes);
                    Write("\nendstream");
                    break;
            }

            Write("\nendobj\n");
        }

        var xref = output.Position;
        Write($"xref\n0 {bodies.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Write(offset.ToString("D10", CultureInfo.InvariantCulture) + " 00000 n \n");
        }

        Write($"trailer\n<< /Size {bodies.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return output.ToArray();
    }

    /// <summary>One page showing "hello world" through a Type0/Identity-H font whose only route to Unicode is a ToUnicode
    /// CMap (bfrange for a–z, bfchar for the space, and a bfrange with an array), plus "éß" through a simple font whose
    /// /Differences rename codes 65 and 66.</summary>
    public static byte[] WithToUnicodeCMap()
    {
        // Codes: a=0x0001 ... z=0x001A, space=0x0063, and 0x0070/0x0071 map through an array to "Q" and "R".
        static string Encode(string text) => string.Concat(text.Select(c => c == ' ' ? "0063" : c is 'Q' ? "0070" : c is 'R' ? "0071" : (c - 'a' + 1).ToString("X4", CultureInfo.InvariantCulture)));
        const string cmap = """
            /CIDInit /ProcSet findresource begin
            12 dict begin
            begincmap
            /CMapName /Test-UCS def
            1 begincodespacerange
            <0000> <FFFF>
            endcodespacerange
            1 beginbfchar
            <0063> <0020>
            endbfchar
            2 beginbfrange
            <0001> <001A> <0061>
            <0070> <0071> [<0051> <0052>]
            endbfrange
            endcmap
            CMapName currentdict /CMap defineresource pop
            end
            end
            """;
        var content = $"BT /F1 12 Tf 72 700 Td <{Encode("hello world")}> Tj 0 -20 Td <{Encode("QR code")}> Tj ET\n"
                      + "BT /F2 12 Tf 72 640 Td (AB) Tj ET";
        return HandWritten(
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 8 0 R >> >> >>",
            ("<< >>", content),
            "<< /Type /Font /Subtype /Type0 /BaseFont /TestCID /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestCID /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 /W [99 [250]] >>",
            ("<< >>", cmap),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 65 /Widths [556 556] /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [65 /eacute /germandbls] >> >>");
    }

    /// <summary>A "scanned" page: one image and no text at all.</summary>
    public static byte[] ImageOnly() => HandWritten(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>",
        ("<< >>", "q 500 0 0 700 50 50 cm /Im1 Do Q"),
        ("<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 >>", "\u0000\u00FF\u00FF\u0000"));
}
