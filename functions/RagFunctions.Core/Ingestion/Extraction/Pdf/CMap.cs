using System.Globalization;
using System.Text;

namespace RagFunctions.Core.Ingestion.Extraction.Pdf;

/// <summary>A parsed CMap: ToUnicode mappings (bfchar/bfrange), code-to-CID mappings (cidchar/cidrange) and the
/// codespace ranges that say how many bytes a character code takes.</summary>
internal sealed class CMap
{
    private readonly List<(int Length, uint Low, uint High)> _codespaces = [];

    public Dictionary<uint, string> Unicode { get; } = [];

    public Dictionary<uint, uint> Cids { get; } = [];

    public bool HasCodespaces => _codespaces.Count > 0;

    /// <summary>Length in bytes of the code starting at <paramref name="offset"/>, from the codespace ranges.</summary>
    public int CodeLength(ReadOnlySpan<byte> bytes, int offset, int fallback)
    {
        uint value = 0;
        for (var length = 1; length <= 4 && offset + length <= bytes.Length; length++)
        {
            value = (value << 8) | bytes[offset + length - 1];
            foreach (var (l, low, high) in _codespaces)
            {
                if (l == length && value >= low && value <= high)
                {
                    return length;
                }
            }
        }

        return fallback;
    }

    public static CMap Parse(byte[] data)
    {
        var map = new CMap();
        var tokens = Tokenize(data);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            switch (token.Text)
            {
                case "begincodespacerange":
                    for (i++; i + 1 < tokens.Count && tokens[i].Text != "endcodespacerange"; i += 2)
                    {
                        if (tokens[i].Bytes is { } lo && tokens[i + 1].Bytes is { } hi && lo.Length is > 0 and <= 4)
                        {
                            map._codespaces.Add((lo.Length, ToUInt(lo), ToUInt(hi)));
                        }
                    }

                    break;
                case "beginbfchar":
                    for (i++; i + 1 < tokens.Count && tokens[i].Text != "endbfchar"; i += 2)
                    {
                        if (tokens[i].Bytes is { } src && Destination(tokens[i + 1]) is { } dst)
                        {
                            map.Unicode[ToUInt(src)] = dst;
                        }
                    }

                    break;
                case "beginbfrange":
                    for (i++; i + 2 < tokens.Count && tokens[i].Text != "endbfrange";)
                    {
                        var lo = tokens[i].Bytes;
                        var hi = tokens[i + 1].Bytes;
                        if (lo is null || hi is null)
                        {
                            i++;
                            continue;
                        }

                        var start = ToUInt(lo);
                        var end = Math.Min(ToUInt(hi), start + 0xFFFF);
                        if (tokens[i + 2].Text == "[")
                        {
                            var j = i + 3;
                            for (var code = start; j < tokens.Count && tokens[j].Text != "]"; j++, code++)
                            {
                                if (code <= end && Destination(tokens[j]) is { } dst)
                                {
                                    map.Unicode[code] = dst;
                                }
                            }

                            i = j + 1;
                        }
                        else
                        {
                            if (tokens[i + 2].Bytes is { Length: > 0 } first)
                            {
                                for (var code = start; code <= end; code++)
                                {
                                    map.Unicode[code] = Utf16(Increment(first, code - start));
                                }
                            }
                            else if (Destination(tokens[i + 2]) is { } name)
                            {
                                map.Unicode[start] = name;
                            }

                            i += 3;
                        }
                    }

                    break;
                case "begincidchar":
                    for (i++; i + 1 < tokens.Count && tokens[i].Text != "endcidchar"; i += 2)
                    {
                        if (tokens[i].Bytes is { } src && tokens[i + 1].Number is { } cid)
                        {
                            map.Cids[ToUInt(src)] = (uint)cid;
                        }
                    }

                    break;
                case "begincidrange":
                    for (i++; i + 2 < tokens.Count && tokens[i].Text != "endcidrange"; i += 3)
                    {
                        if (tokens[i].Bytes is { } lo && tokens[i + 1].Bytes is { } hi && tokens[i + 2].Number is { } cid)
                        {
                            var start = ToUInt(lo);
                            var end = Math.Min(ToUInt(hi), start + 0xFFFF);
                            for (var code = start; code <= end; code++)
                            {
                                map.Cids[code] = (uint)cid + (code - start);
                            }
                        }
                    }

                    break;
            }
        }

        return map;
    }

    private static string? Destination(Token token)
    {
        if (token.Bytes is { } bytes)
        {
            return Utf16(bytes);
        }

        return token.Text.StartsWith('/') ? PdfEncodings.GlyphToUnicode(token.Text) : null;
    }

    /// <summary>bfrange destinations advance in their last byte (with carry, which some producers rely on).</summary>
    private static byte[] Increment(byte[] first, uint delta)
    {
        var result = (byte[])first.Clone();
        var carry = delta;
        for (var k = result.Length - 1; k >= 0 && carry > 0; k--)
        {
            var sum = result[k] + carry;
            result[k] = (byte)(sum & 0xFF);
            carry = sum >> 8;
        }

        return result;
    }

    private static string Utf16(byte[] bytes)
    {
        if (bytes.Length == 1)
        {
            return ((char)bytes[0]).ToString();
        }

        var text = Encoding.BigEndianUnicode.GetString(bytes, 0, bytes.Length & ~1);
        return text.Replace("\0", string.Empty, StringComparison.Ordinal);
    }

    private static uint ToUInt(byte[] bytes)
    {
        uint value = 0;
        foreach (var b in bytes.AsSpan(0, Math.Min(bytes.Length, 4)))
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private readonly record struct Token(string Text, byte[]? Bytes = null, long? Number = null);

    private static List<Token> Tokenize(byte[] data)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < data.Length)
        {
            var c = (char)data[i];
            if (char.IsWhiteSpace(c) || c == '\0')
            {
                i++;
            }
            else if (c == '%')
            {
                while (i < data.Length && data[i] is not (byte)'\n' and not (byte)'\r')
                {
                    i++;
                }
            }
            else if (c == '<' && i + 1 < data.Length && data[i + 1] == '<')
            {
                tokens.Add(new Token("<<"));
                i += 2;
            }
            else if (c == '>' && i + 1 < data.Length && data[i + 1] == '>')
            {
                tokens.Add(new Token(">>"));
                i += 2;
            }
            else if (c == '<')
            {
                var hex = new StringBuilder();
                for (i++; i < data.Length && data[i] != '>'; i++)
                {
                    if (Uri.IsHexDigit((char)data[i]))
                    {
                        hex.Append((char)data[i]);
                    }
                }

                i++;
                if (hex.Length % 2 == 1)
                {
                    hex.Append('0');
                }

                tokens.Add(new Token("<hex>", Convert.FromHexString(hex.ToString())));
            }
            else if (c == '(')
            {
                // Literal strings only appear in CMap headers (registry names); their content is not needed.
                var depth = 0;
                for (; i < data.Length; i++)
                {
                    if (data[i] == '\\')
                    {
                        i++;
                    }
                    else if (data[i] == '(')
                    {
                        depth++;
                    }
                    else if (data[i] == ')' && --depth == 0)
                    {
                        i++;
                        break;
                    }
                }

                tokens.Add(new Token("()"));
            }
            else if (c is '[' or ']' or '{' or '}')
            {
                tokens.Add(new Token(c.ToString()));
                i++;
            }
            else
            {
                var start = i;
                i++;
                while (i < data.Length && !char.IsWhiteSpace((char)data[i])
                       && data[i] is not ((byte)'<' or (byte)'>' or (byte)'[' or (byte)']' or (byte)'(' or (byte)'/' or (byte)'%' or (byte)'{' or (byte)'}'))
                {
                    i++;
                }

                var text = Encoding.ASCII.GetString(data, start, i - start);
                long? number = long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
                tokens.Add(new Token(text, Number: number));
            }
        }

        return tokens;
    }
}
