using System.Text;
using System.Text.RegularExpressions;
using PdfSharp.Pdf;

namespace RagFunctions.Core.Ingestion.Extraction.Pdf;

/// <summary>One decoded character code of a shown string: its Unicode text (null when the font gives no way to know it),
/// its advance width in text space units per unit font size, and whether it is the single-byte code 32 (word spacing applies).</summary>
internal readonly record struct PdfGlyph(string? Text, double Width, bool IsWordSpace);

/// <summary>Decodes character codes of one font resource. Unicode comes from the ToUnicode CMap first; simple fonts
/// fall back to their encoding (base encoding + /Differences, or the built-in encoding of an embedded Type 1 program)
/// and glyph names; widths come from /Widths (simple), /W and /DW (CID fonts) or /FontMatrix (Type 3).</summary>
internal sealed partial class PdfFont
{
    private readonly bool _composite;
    private readonly CMap? _encodingCMap;
    private readonly CMap? _toUnicode;
    private readonly string?[]? _simpleMap;
    private readonly Dictionary<uint, double> _widths = [];
    private readonly double _defaultWidth;
    private readonly double _widthScale = 0.001;

    public PdfFont(PdfDictionary font)
    {
        var subtype = PdfObjects.Name(font, "/Subtype");
        BaseFont = PdfObjects.Name(font, "/BaseFont") ?? string.Empty;
        _composite = subtype == "/Type0";

        if (PdfObjects.Dictionary(font, "/ToUnicode") is { } toUnicode && PdfObjects.StreamBytes(toUnicode) is { } cmapBytes)
        {
            _toUnicode = TryParse(cmapBytes);
        }

        if (_composite)
        {
            if (PdfObjects.Get(font, "/Encoding") is PdfDictionary encodingStream && PdfObjects.StreamBytes(encodingStream) is { } encBytes)
            {
                _encodingCMap = TryParse(encBytes);
            }

            var descendant = PdfObjects.Array(font, "/DescendantFonts") is { } descendants
                ? PdfObjects.Items(descendants).OfType<PdfDictionary>().FirstOrDefault()
                : null;
            _defaultWidth = descendant is null ? 1000 : PdfObjects.Number(descendant, "/DW") ?? 1000;
            if (descendant is not null && PdfObjects.Array(descendant, "/W") is { } w)
            {
                ReadCidWidths(w);
            }

            var descriptor = descendant is null ? null : PdfObjects.Dictionary(descendant, "/FontDescriptor");
            IsBold = LooksBold(BaseFont, descriptor);
            return;
        }

        var fontDescriptor = PdfObjects.Dictionary(font, "/FontDescriptor");
        IsBold = LooksBold(BaseFont, fontDescriptor);
        if (subtype == "/Type3" && PdfObjects.Array(font, "/FontMatrix") is { } matrix && matrix.Elements.Count >= 1)
        {
            _widthScale = PdfObjects.Number(matrix.Elements[0]) ?? 0.001;
        }

        var firstChar = (int)(PdfObjects.Number(font, "/FirstChar") ?? 0);
        if (PdfObjects.Array(font, "/Widths") is { } widths)
        {
            var index = 0;
            foreach (var item in PdfObjects.Items(widths))
            {
                _widths[(uint)(firstChar + index++)] = PdfObjects.Number(item) ?? 0;
            }
        }

        var missing = fontDescriptor is null ? null : PdfObjects.Number(fontDescriptor, "/MissingWidth");
        _defaultWidth = missing ?? (_widths.Count > 0 ? 0 : StandardWidth(BaseFont));
        _simpleMap = BuildSimpleEncoding(font, fontDescriptor);
    }

    public string BaseFont { get; }

    public bool IsBold { get; }

    /// <summary>Splits a shown string into character codes and decodes each one.</summary>
    public IEnumerable<PdfGlyph> Decode(byte[] bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            int length;
            if (!_composite)
            {
                length = 1;
            }
            else if (_encodingCMap is { HasCodespaces: true })
            {
                length = _encodingCMap.CodeLength(bytes, i, 2);
            }
            else
            {
                length = 2;
            }

            length = Math.Min(length, bytes.Length - i);
            uint code = 0;
            for (var k = 0; k < length; k++)
            {
                code = (code << 8) | bytes[i + k];
            }

            i += length;
            yield return new PdfGlyph(TextOf(code), WidthOf(code) * _widthScale, IsWordSpace: length == 1 && code == 32);
        }
    }

    private string? TextOf(uint code)
    {
        if (_toUnicode is not null && _toUnicode.Unicode.TryGetValue(code, out var mapped))
        {
            return mapped;
        }

        if (_simpleMap is not null && code < 256)
        {
            return _simpleMap[code];
        }

        return null;
    }

    private double WidthOf(uint code)
    {
        var key = code;
        if (_composite && _encodingCMap is not null && _encodingCMap.Cids.TryGetValue(code, out var cid))
        {
            key = cid;
        }

        return _widths.TryGetValue(key, out var width) ? width : _defaultWidth;
    }

    private void ReadCidWidths(PdfArray w)
    {
        var items = PdfObjects.Items(w).ToList();
        for (var i = 0; i < items.Count;)
        {
            var first = PdfObjects.Number(items[i]);
            if (first is null)
            {
                i++;
                continue;
            }

            if (i + 1 < items.Count && items[i + 1] is PdfArray list)
            {
                var cid = (uint)first.Value;
                foreach (var item in PdfObjects.Items(list))
                {
                    _widths[cid++] = PdfObjects.Number(item) ?? _defaultWidth;
                }

                i += 2;
            }
            else if (i + 2 < items.Count && PdfObjects.Number(items[i + 1]) is { } last && PdfObjects.Number(items[i + 2]) is { } width)
            {
                for (var cid = (uint)first.Value; cid <= (uint)last && cid - (uint)first.Value < 0x10000; cid++)
                {
                    _widths[cid] = width;
                }

                i += 3;
            }
            else
            {
                break;
            }
        }
    }

    private static string?[] BuildSimpleEncoding(PdfDictionary font, PdfDictionary? descriptor)
    {
        var encoding = PdfObjects.Get(font, "/Encoding");
        string?[] map;
        PdfArray? differences = null;
        if (encoding is PdfName name)
        {
            map = PdfEncodings.ForName(name.Value);
        }
        else if (encoding is PdfDictionary dictionary)
        {
            var baseName = PdfObjects.Name(dictionary, "/BaseEncoding");
            map = baseName is null ? DefaultEncoding(descriptor) : PdfEncodings.ForName(baseName);
            differences = PdfObjects.Array(dictionary, "/Differences");
        }
        else
        {
            map = DefaultEncoding(descriptor);
        }

        if (differences is not null)
        {
            var code = 0;
            foreach (var item in PdfObjects.Items(differences))
            {
                if (PdfObjects.Number(item) is { } start)
                {
                    code = (int)start;
                }
                else if (item is PdfName glyph)
                {
                    if (code is >= 0 and < 256)
                    {
                        map[code] = PdfEncodings.GlyphToUnicode(glyph.Value);
                    }

                    code++;
                }
            }
        }

        return map;
    }

    /// <summary>Without an /Encoding, an embedded Type 1 program's own encoding applies; otherwise StandardEncoding.</summary>
    private static string?[] DefaultEncoding(PdfDictionary? descriptor)
    {
        if (descriptor is not null && PdfObjects.Dictionary(descriptor, "/FontFile") is { } fontFile
            && PdfObjects.StreamBytes(fontFile) is { } program)
        {
            var builtIn = Type1BuiltInEncoding(program);
            if (builtIn is not null)
            {
                return builtIn;
            }
        }

        return PdfEncodings.ForName("/StandardEncoding");
    }

    private static string?[]? Type1BuiltInEncoding(byte[] program)
    {
        // The encoding lives in the clear-text part of a Type 1 program, before "eexec".
        var clearLength = program.AsSpan().IndexOf("eexec"u8);
        var clear = Encoding.Latin1.GetString(program, 0, clearLength > 0 ? clearLength : Math.Min(program.Length, 65536));
        if (clear.Contains("/Encoding StandardEncoding", StringComparison.Ordinal))
        {
            return null;
        }

        var matches = EncodingEntry().Matches(clear);
        if (matches.Count == 0)
        {
            return null;
        }

        var map = new string?[256];
        foreach (Match match in matches)
        {
            var code = int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            if (code is >= 0 and < 256)
            {
                map[code] = PdfEncodings.GlyphToUnicode(match.Groups[2].Value);
            }
        }

        return map;
    }

    private static bool LooksBold(string baseFont, PdfDictionary? descriptor)
    {
        var name = baseFont.Contains('+', StringComparison.Ordinal) ? baseFont[(baseFont.IndexOf('+', StringComparison.Ordinal) + 1)..] : baseFont;
        if (name.Contains("Bold", StringComparison.OrdinalIgnoreCase) || name.Contains("Black", StringComparison.OrdinalIgnoreCase)
            || name.Contains("Heavy", StringComparison.OrdinalIgnoreCase) || name.StartsWith("/CMBX", StringComparison.Ordinal)
            || name.StartsWith("/CMB", StringComparison.Ordinal))
        {
            return true;
        }

        var weight = descriptor is null ? null : PdfObjects.Number(descriptor, "/FontWeight");
        return weight >= 600;
    }

    /// <summary>Average advance of the standard 14 fonts when a producer omits /Widths: exact for Courier, an
    /// approximation for the proportional faces (only used for spacing heuristics).</summary>
    private static double StandardWidth(string baseFont) =>
        baseFont.Contains("Courier", StringComparison.OrdinalIgnoreCase) ? 600 : 500;

    private static CMap? TryParse(byte[] bytes)
    {
        try
        {
            return CMap.Parse(bytes);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"dup\s+(\d+)\s*/([^\s/\[\]{}()<>]+)\s+put")]
    private static partial Regex EncodingEntry();
}
