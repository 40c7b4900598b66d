using System.IO.Compression;
using System.Text;

namespace RagFunctions.Tests.Shared.Hostile;

/// <summary>One generated hostile file: its name, its bytes, and the words its failure reason must contain (null: the
/// file is harmless to its parser and may be indexed; it only must not take anything down).</summary>
public sealed record HostileFile(string Name, byte[] Content, string? ExpectedReason);

/// <summary>The files issue 11's probes used to take the host down (stack overflows, endless loops, exponential work,
/// decompression bombs), generated at run time so nothing binary is committed. Each reproduces its probe's structure.</summary>
public static class HostileCorpus
{
    /// <summary>Every case, as dropped into the local host by the reliability suite.</summary>
    public static IReadOnlyList<HostileFile> All() =>
    [
        new("cyclic-page-tree.pdf", CyclicPageTreePdf(), "cycle"),
        new("self-parent.pdf", SelfParentPdf(), "cycle"),
        new("deep-array.pdf", DeepArrayPdf(100_000), "MaxNestingDepth"),
        new("deep-dictionary.pdf", DeepDictionaryPdf(100_000), "MaxNestingDepth"),
        new("nested-brackets-content.pdf", NestedBracketContentPdf(100_000), "MaxNestingDepth"),
        new("self-calling-form.pdf", SelfCallingFormPdf(9), "cycle"),
        new("nested-sdt.docx", NestedSdtDocx(100_000), "MaxNestingDepth"),
        new("bomb.docx", DocxBomb(200L * 1024 * 1024), "MaxExpandedBytes"),
        new("nested-divs.html", NestedHtml(20_000), "MaxNestingDepth"),
        new("deep.json", DeepJson(100_000), "MaxNestingDepth"),
        // The Markdown extractor reads line by line without recursion: deep nesting is just text to it.
        new("deep.md", DeepMarkdown(100_000), null),
        new("long-line.txt", LongSingleLine(24 * 1024 * 1024), "MaxExtractedCharacters"),
    ];

    /// <summary>The 402-byte probe: the page-tree root lists itself among its kids.</summary>
    public static byte[] CyclicPageTreePdf() => PdfFile.Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        PdfFile.Stream("BT ET"));

    /// <summary>The 409-byte probe: a page-tree node is its own /Parent, so inherited attributes are looked up forever.</summary>
    public static byte[] SelfParentPdf() => PdfFile.Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 2 0 R >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        PdfFile.Stream("BT /F1 12 Tf 72 720 Td (Hello) Tj ET"));

    public static byte[] DeepArrayPdf(int depth) => PdfWithExtraObject(new string('[', depth) + new string(']', depth));

    public static byte[] DeepDictionaryPdf(int depth) =>
        PdfWithExtraObject(string.Concat(Enumerable.Repeat("<< /A ", depth)) + "1" + string.Concat(Enumerable.Repeat(" >>", depth)));

    /// <summary>A page content stream that opens <paramref name="depth"/> arrays.</summary>
    public static byte[] NestedBracketContentPdf(int depth) => PdfFile.Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        PdfFile.Stream(new string('[', depth) + " TJ"));

    /// <summary>The 989-byte probe: a form XObject whose content draws itself <paramref name="calls"/> times
    /// (K^depth work for an interpreter that only caps depth).</summary>
    public static byte[] SelfCallingFormPdf(int calls) => PdfFile.Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /X1 5 0 R >> /Font << /F1 6 0 R >> >> /Contents 4 0 R >>",
        PdfFile.Stream("/X1 Do"),
        PdfFile.Stream("BT /F1 12 Tf 72 720 Td (Loop) Tj ET " + string.Join(' ', Enumerable.Repeat("/X1 Do", calls)),
            "/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X1 5 0 R >> /Font << /F1 6 0 R >> >>"),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");

    /// <summary>An 11.6 KB-class .docx whose body nests <paramref name="depth"/> block-level content controls.</summary>
    public static byte[] NestedSdtDocx(int depth)
    {
        var body = new StringBuilder();
        body.Insert(0, "<w:sdt><w:sdtContent>", depth);
        body.Append("<w:p><w:r><w:t>deep</w:t></w:r></w:p>");
        body.Insert(body.Length, "</w:sdtContent></w:sdt>", depth);
        return Docx(writer => writer.Write(body.ToString()));
    }

    /// <summary>A small .docx whose document.xml expands to <paramref name="expandedBytes"/> of repetitive paragraphs.</summary>
    public static byte[] DocxBomb(long expandedBytes)
    {
        const string paragraph = "<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>";
        return Docx(writer =>
        {
            for (long written = 0; written < expandedBytes; written += paragraph.Length)
            {
                writer.Write(paragraph);
            }
        });
    }

    public static byte[] NestedHtml(int depth)
    {
        var sb = new StringBuilder("<html><body>");
        for (var i = 0; i < depth; i++)
        {
            sb.Append((i % 3) switch { 0 => "<div>", 1 => "<span>", _ => "<li>" });
        }

        return Encoding.UTF8.GetBytes(sb.Append("deep text</body></html>").ToString());
    }

    public static byte[] DeepJson(int depth) =>
        Encoding.UTF8.GetBytes(new string('[', depth) + "\"deep\"" + new string(']', depth));

    /// <summary>Block quotes and list items nested <paramref name="depth"/> deep.</summary>
    public static byte[] DeepMarkdown(int depth) =>
        Encoding.UTF8.GetBytes(new string('>', depth) + " deep quote\n\n" + string.Concat(Enumerable.Repeat("- ", depth)) + "deep item\n");

    /// <summary>One line of words with no sentence break, larger than the extracted-text limit.</summary>
    public static byte[] LongSingleLine(int bytes)
    {
        var words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ";
        var sb = new StringBuilder(bytes + words.Length);
        while (sb.Length < bytes)
        {
            sb.Append(words);
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static byte[] PdfWithExtraObject(string extra) => PdfFile.Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 6 0 R >> >> /Contents 4 0 R /Extra 5 0 R >>",
        PdfFile.Stream("BT /F1 12 Tf 72 720 Td (Deep) Tj ET"),
        extra,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");

    /// <summary>A minimal WordprocessingML package; <paramref name="writeBody"/> writes the inside of w:body.</summary>
    public static byte[] Docx(Action<TextWriter> writeBody)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            Entry(zip, "[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>""");
            Entry(zip, "_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>""");
            var document = zip.CreateEntry("word/document.xml", CompressionLevel.Fastest);
            using var writer = new StreamWriter(document.Open(), new UTF8Encoding(false));
            writer.Write("""<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>""");
            writeBody(writer);
            writer.Write("</w:body></w:document>");
        }

        return output.ToArray();
    }

    private static void Entry(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(text);
    }
}
