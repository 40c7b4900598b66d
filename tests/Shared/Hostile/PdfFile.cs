using System.Globalization;
using System.Text;

namespace RagFunctions.Tests.Shared.Hostile;

/// <summary>Writes a PDF from numbered object bodies (object 1 is the catalog) with a correct cross-reference table, so
/// tests can state exactly the object graph they mean — including graphs no PDF library would produce.</summary>
public static class PdfFile
{
    public static byte[] Build(params string[] objects)
    {
        var latin1 = Encoding.Latin1;
        using var output = new MemoryStream();
        void Write(string s) => output.Write(latin1.GetBytes(s));

        Write("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new long[objects.Length];
        for (var i = 0; i < objects.Length; i++)
        {
            offsets[i] = output.Position;
            Write($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = output.Position;
        Write($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Write(offset.ToString("D10", CultureInfo.InvariantCulture) + " 00000 n \n");
        }

        Write($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return output.ToArray();
    }

    /// <summary>A stream object body with the right /Length (content is Latin-1 text).</summary>
    public static string Stream(string content, string extraEntries = "") =>
        $"<< /Length {Encoding.Latin1.GetByteCount(content)} {extraEntries} >>\nstream\n{content}\nendstream";

    /// <summary>An ordinary text PDF: one page per entry, Helvetica, one text line per '\n'-separated line.</summary>
    public static byte[] Text(params string[] pages)
    {
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "", // page tree, filled in below
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        };
        var kids = new List<string>();
        foreach (var text in pages)
        {
            var lines = text.Split('\n').Select(line => "(" + line.Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("(", "\\(", StringComparison.Ordinal).Replace(")", "\\)", StringComparison.Ordinal) + ") Tj 0 -14 Td");
            objects.Add(Stream($"BT /F1 12 Tf 72 760 Td {string.Join(' ', lines)} ET"));
            var contentNumber = objects.Count;
            objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {contentNumber} 0 R >>");
            kids.Add($"{objects.Count} 0 R");
        }

        objects[1] = $"<< /Type /Pages /Kids [{string.Join(' ', kids)}] /Count {pages.Length} >>";
        return Build([.. objects]);
    }
}
