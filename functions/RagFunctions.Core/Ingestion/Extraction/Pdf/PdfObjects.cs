using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;

namespace RagFunctions.Core.Ingestion.Extraction.Pdf;

/// <summary>Reference-resolving accessors over PDFsharp's object model.</summary>
internal static class PdfObjects
{
    public static PdfItem? Resolve(PdfItem? item) => item is PdfReference reference ? reference.Value : item;

    public static PdfItem? Get(PdfDictionary dictionary, string key) =>
        dictionary.Elements.TryGetValue(key, out var item) ? Resolve(item) : null;

    public static PdfDictionary? Dictionary(PdfDictionary dictionary, string key) => Get(dictionary, key) as PdfDictionary;

    public static PdfArray? Array(PdfDictionary dictionary, string key) => Get(dictionary, key) as PdfArray;

    public static string? Name(PdfDictionary dictionary, string key) => Get(dictionary, key) is PdfName name ? name.Value : null;

    public static double? Number(PdfItem? item) => Resolve(item) switch
    {
        PdfInteger i => i.Value,
        PdfLongInteger l => l.Value,
        PdfReal r => r.Value,
        PdfIntegerObject io => io.Value,
        PdfRealObject ro => ro.Value,
        _ => null,
    };

    public static double? Number(PdfDictionary dictionary, string key) => Number(Get(dictionary, key));

    public static byte[]? StreamBytes(PdfDictionary dictionary)
    {
        var stream = dictionary.Stream;
        if (stream is null)
        {
            return null;
        }

        return stream.UnfilteredValue;
    }

    public static IEnumerable<PdfItem> Items(PdfArray array)
    {
        for (var i = 0; i < array.Elements.Count; i++)
        {
            if (Resolve(array.Elements[i]) is { } item)
            {
                yield return item;
            }
        }
    }
}
