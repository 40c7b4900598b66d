using System.Globalization;

namespace RagFunctions.Core.Ingestion.Extraction.Pdf;

/// <summary>The simple-font encodings of PDF 32000-1 Annex D (WinAnsi, Standard, MacRoman for the ASCII range) and a
/// glyph-name to Unicode table covering Latin text, typographic punctuation, ligatures and Greek (TeX math fonts).</summary>
internal static class PdfEncodings
{
    public static string?[] WinAnsi { get; } = BuildWinAnsi();

    public static string?[] Standard { get; } = BuildStandard();

    public static string?[] ForName(string? name) => name switch
    {
        "/WinAnsiEncoding" => (string?[])WinAnsi.Clone(),
        "/MacRomanEncoding" => BuildMacRomanAscii(),
        "/StandardEncoding" => (string?[])Standard.Clone(),
        "/PDFDocEncoding" => (string?[])WinAnsi.Clone(),
        _ => (string?[])Standard.Clone(),
    };

    /// <summary>Unicode text for a glyph name, or null when the name carries no known meaning (e.g. "g123").</summary>
    public static string? GlyphToUnicode(string glyphName)
    {
        var name = glyphName.TrimStart('/');
        if (name.Length == 0)
        {
            return null;
        }

        if (GlyphNames.TryGetValue(name, out var known))
        {
            return known;
        }

        // Variants such as "a.sc" or "one.oldstyle" mean the base glyph; "f_f_i" is a ligature of its parts.
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            return GlyphToUnicode(name[..dot]);
        }

        if (name.Contains('_', StringComparison.Ordinal))
        {
            var parts = name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(GlyphToUnicode).ToArray();
            return parts.All(p => p is not null) ? string.Concat(parts) : null;
        }

        if (name.Length == 1 && char.IsAsciiLetterOrDigit(name[0]))
        {
            return name;
        }

        if (name.StartsWith("uni", StringComparison.Ordinal) && name.Length >= 7 && (name.Length - 3) % 4 == 0)
        {
            var chars = new List<char>();
            for (var i = 3; i < name.Length; i += 4)
            {
                if (!int.TryParse(name.AsSpan(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var cp))
                {
                    return null;
                }

                chars.Add((char)cp);
            }

            return new string([.. chars]);
        }

        if (name.Length is >= 5 and <= 7 && name[0] == 'u'
            && int.TryParse(name.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)
            && code is > 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF))
        {
            return char.ConvertFromUtf32(code);
        }

        return null;
    }

    private static string?[] BuildWinAnsi()
    {
        var map = new string?[256];
        for (var c = 0x20; c < 0x7F; c++)
        {
            map[c] = ((char)c).ToString();
        }

        for (var c = 0xA0; c <= 0xFF; c++)
        {
            map[c] = ((char)c).ToString();
        }

        // 0x80-0x9F of Windows-1252; unassigned positions stay null.
        const string high = "\u20AC\0\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\0\u017D\0"
                          + "\0\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\0\u017E\u0178";
        for (var i = 0; i < 32; i++)
        {
            map[0x80 + i] = high[i] == '\0' ? null : high[i].ToString();
        }

        map[0xAD] = "-";
        return map;
    }

    private static string?[] BuildStandard()
    {
        var map = new string?[256];
        for (var c = 0x20; c < 0x7F; c++)
        {
            map[c] = ((char)c).ToString();
        }

        map[0x27] = "\u2019";
        map[0x60] = "\u2018";
        (int Code, string Text)[] high =
        [
            (0xA1, "\u00A1"), (0xA2, "\u00A2"), (0xA3, "\u00A3"), (0xA4, "\u2044"), (0xA5, "\u00A5"), (0xA6, "\u0192"),
            (0xA7, "\u00A7"), (0xA8, "\u00A4"), (0xA9, "'"), (0xAA, "\u201C"), (0xAB, "\u00AB"), (0xAC, "\u2039"),
            (0xAD, "\u203A"), (0xAE, "fi"), (0xAF, "fl"), (0xB1, "\u2013"), (0xB2, "\u2020"), (0xB3, "\u2021"),
            (0xB4, "\u00B7"), (0xB6, "\u00B6"), (0xB7, "\u2022"), (0xB8, "\u201A"), (0xB9, "\u201E"), (0xBA, "\u201D"),
            (0xBB, "\u00BB"), (0xBC, "\u2026"), (0xBD, "\u2030"), (0xBF, "\u00BF"), (0xC1, "`"), (0xC2, "\u00B4"),
            (0xC3, "\u02C6"), (0xC4, "\u02DC"), (0xC5, "\u00AF"), (0xC6, "\u02D8"), (0xC7, "\u02D9"), (0xC8, "\u00A8"),
            (0xCA, "\u02DA"), (0xCB, "\u00B8"), (0xCD, "\u02DD"), (0xCE, "\u02DB"), (0xCF, "\u02C7"), (0xD0, "\u2014"),
            (0xE1, "\u00C6"), (0xE3, "\u00AA"), (0xE8, "\u0141"), (0xE9, "\u00D8"), (0xEA, "\u0152"), (0xEB, "\u00BA"),
            (0xF1, "\u00E6"), (0xF5, "\u0131"), (0xF8, "\u0142"), (0xF9, "\u00F8"), (0xFA, "\u0153"), (0xFB, "\u00DF"),
        ];
        foreach (var (code, text) in high)
        {
            map[code] = text;
        }

        return map;
    }

    private static string?[] BuildMacRomanAscii()
    {
        // Only the ASCII half is shared by every Mac text; the upper half is rare in PDFs and left unmapped.
        var map = new string?[256];
        for (var c = 0x20; c < 0x7F; c++)
        {
            map[c] = ((char)c).ToString();
        }

        return map;
    }

    private static readonly Dictionary<string, string> GlyphNames = BuildGlyphNames();

    private static Dictionary<string, string> BuildGlyphNames()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["space"] = " ", ["nbspace"] = " ", ["exclam"] = "!", ["quotedbl"] = "\"", ["numbersign"] = "#", ["dollar"] = "$",
            ["percent"] = "%", ["ampersand"] = "&", ["quotesingle"] = "'", ["quoteright"] = "\u2019", ["quoteleft"] = "\u2018",
            ["parenleft"] = "(", ["parenright"] = ")", ["asterisk"] = "*", ["plus"] = "+", ["comma"] = ",",
            ["hyphen"] = "-", ["minus"] = "\u2212", ["period"] = ".", ["slash"] = "/", ["colon"] = ":", ["semicolon"] = ";",
            ["less"] = "<", ["equal"] = "=", ["greater"] = ">", ["question"] = "?", ["at"] = "@", ["bracketleft"] = "[",
            ["backslash"] = "\\", ["bracketright"] = "]", ["asciicircum"] = "^", ["underscore"] = "_", ["grave"] = "`",
            ["braceleft"] = "{", ["bar"] = "|", ["braceright"] = "}", ["asciitilde"] = "~",
            ["zero"] = "0", ["one"] = "1", ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6",
            ["seven"] = "7", ["eight"] = "8", ["nine"] = "9",
            ["exclamdown"] = "\u00A1", ["cent"] = "\u00A2", ["sterling"] = "\u00A3", ["fraction"] = "\u2044", ["yen"] = "\u00A5",
            ["florin"] = "\u0192", ["section"] = "\u00A7", ["currency"] = "\u00A4", ["quotedblleft"] = "\u201C",
            ["quotedblright"] = "\u201D", ["quotesinglbase"] = "\u201A", ["quotedblbase"] = "\u201E",
            ["guillemotleft"] = "\u00AB", ["guillemotright"] = "\u00BB", ["guilsinglleft"] = "\u2039", ["guilsinglright"] = "\u203A",
            ["fi"] = "fi", ["fl"] = "fl", ["ff"] = "ff", ["ffi"] = "ffi", ["ffl"] = "ffl", ["dotlessi"] = "\u0131", ["dotlessj"] = "\u0237",
            ["endash"] = "\u2013", ["emdash"] = "\u2014", ["dagger"] = "\u2020", ["daggerdbl"] = "\u2021",
            ["periodcentered"] = "\u00B7", ["paragraph"] = "\u00B6", ["bullet"] = "\u2022", ["ellipsis"] = "\u2026",
            ["perthousand"] = "\u2030", ["questiondown"] = "\u00BF", ["acute"] = "\u00B4", ["circumflex"] = "\u02C6",
            ["tilde"] = "\u02DC", ["macron"] = "\u00AF", ["breve"] = "\u02D8", ["dotaccent"] = "\u02D9", ["dieresis"] = "\u00A8",
            ["ring"] = "\u02DA", ["cedilla"] = "\u00B8", ["hungarumlaut"] = "\u02DD", ["ogonek"] = "\u02DB", ["caron"] = "\u02C7",
            ["AE"] = "\u00C6", ["ae"] = "\u00E6", ["OE"] = "\u0152", ["oe"] = "\u0153", ["Oslash"] = "\u00D8", ["oslash"] = "\u00F8",
            ["Lslash"] = "\u0141", ["lslash"] = "\u0142", ["germandbls"] = "\u00DF", ["ordfeminine"] = "\u00AA",
            ["ordmasculine"] = "\u00BA", ["trademark"] = "\u2122", ["copyright"] = "\u00A9", ["registered"] = "\u00AE",
            ["degree"] = "\u00B0", ["plusminus"] = "\u00B1", ["multiply"] = "\u00D7", ["divide"] = "\u00F7",
            ["logicalnot"] = "\u00AC", ["brokenbar"] = "\u00A6", ["mu"] = "\u00B5", ["onehalf"] = "\u00BD",
            ["onequarter"] = "\u00BC", ["threequarters"] = "\u00BE", ["onesuperior"] = "\u00B9", ["twosuperior"] = "\u00B2",
            ["threesuperior"] = "\u00B3", ["Euro"] = "\u20AC", ["visiblespace"] = "\u2423", ["Eth"] = "\u00D0", ["eth"] = "\u00F0",
            ["Thorn"] = "\u00DE", ["thorn"] = "\u00FE", ["arrowright"] = "\u2192", ["arrowleft"] = "\u2190",
            ["lessequal"] = "\u2264", ["greaterequal"] = "\u2265", ["notequal"] = "\u2260", ["infinity"] = "\u221E",
            ["similar"] = "\u223C", ["angleleft"] = "\u27E8", ["angleright"] = "\u27E9", ["circlecopyrt"] = "\u00A9",
        };

        // Latin-1 accented letters follow a regular naming scheme: base letter + accent name.
        (string Accent, string Upper, string Lower)[] accents =
        [
            ("grave", "\u00C0\u00C8\u00CC\u00D2\u00D9", "\u00E0\u00E8\u00EC\u00F2\u00F9"),
            ("acute", "\u00C1\u00C9\u00CD\u00D3\u00DA", "\u00E1\u00E9\u00ED\u00F3\u00FA"),
            ("circumflex", "\u00C2\u00CA\u00CE\u00D4\u00DB", "\u00E2\u00EA\u00EE\u00F4\u00FB"),
            ("dieresis", "\u00C4\u00CB\u00CF\u00D6\u00DC", "\u00E4\u00EB\u00EF\u00F6\u00FC"),
        ];
        const string vowels = "AEIOU";
        foreach (var (accent, upper, lower) in accents)
        {
            for (var i = 0; i < vowels.Length; i++)
            {
                d[vowels[i] + accent] = upper[i].ToString();
                d[char.ToLowerInvariant(vowels[i]) + accent] = lower[i].ToString();
            }
        }

        d["Atilde"] = "\u00C3"; d["atilde"] = "\u00E3"; d["Ntilde"] = "\u00D1"; d["ntilde"] = "\u00F1";
        d["Otilde"] = "\u00D5"; d["otilde"] = "\u00F5"; d["Aring"] = "\u00C5"; d["aring"] = "\u00E5";
        d["Ccedilla"] = "\u00C7"; d["ccedilla"] = "\u00E7"; d["Yacute"] = "\u00DD"; d["yacute"] = "\u00FD";
        d["ydieresis"] = "\u00FF"; d["Ydieresis"] = "\u0178"; d["Scaron"] = "\u0160"; d["scaron"] = "\u0161";
        d["Zcaron"] = "\u017D"; d["zcaron"] = "\u017E";

        string[] greek =
        [
            "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda", "Mu", "Nu", "Xi",
            "Omicron", "Pi", "Rho", "", "Sigma", "Tau", "Upsilon", "Phi", "Chi", "Psi", "Omega",
        ];
        for (var i = 0; i < greek.Length; i++)
        {
            if (greek[i].Length == 0)
            {
                continue;
            }

            d[greek[i]] = ((char)(0x391 + i)).ToString();
            d[greek[i].ToLowerInvariant()] = ((char)(0x3B1 + i)).ToString();
        }

        d["mu"] = "\u00B5"; // the Adobe Glyph List maps "mu" to MICRO SIGN
        d["sigma1"] = "\u03C2"; d["theta1"] = "\u03D1"; d["phi1"] = "\u03D5"; d["omega1"] = "\u03D6";
        d["epsilon1"] = "\u03F5"; d["rho1"] = "\u03F1";
        return d;
    }
}
