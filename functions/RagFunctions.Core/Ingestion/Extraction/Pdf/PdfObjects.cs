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

    /// <summary>A stream's decoded bytes with Flate expansion bounded by <see cref="IngestionLimits.MaxExpandedBytes"/>
    /// (PDFsharp's own decoder has no bound); other filters are left to PDFsharp.</summary>
    public static byte[]? StreamBytes(PdfDictionary dictionary, IngestionLimits limits)
    {
        var stream = dictionary.Stream;
        if (stream is null)
        {
            return null;
        }

        var filter = Get(dictionary, "/Filter");
        var single = filter switch
        {
            PdfName name => name.Value,
            PdfArray { Elements.Count: 1 } array => (Resolve(array.Elements[0]) as PdfName)?.Value,
            _ => null,
        };
        if (single == "/FlateDecode" && Get(dictionary, "/DecodeParms") is null)
        {
            try
            {
                return PdfStreamDecoding.Inflate(stream.Value, limits);
            }
            catch (InvalidDataException)
            {
                // Damaged Flate data: PDFsharp's decoder recovers what it can.
            }
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
