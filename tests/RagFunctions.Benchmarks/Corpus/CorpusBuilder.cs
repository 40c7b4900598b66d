using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Benchmarks.Corpus;

/// <summary><c>make-corpus</c>: real text from this Debian machine (licences, /usr/share/doc, info manuals, man pages in every
/// installed language), cleaned to plain text, de-duplicated by paragraph and packed into chunks of 60–380 words
/// (about what the product's 512-token chunker emits); writes <c>corpus.txt</c> (one chunk per line) and <c>queries.txt</c>.</summary>
internal static partial class CorpusBuilder
{
    private static readonly string[] Roots = ["/usr/share/common-licenses", "/usr/share/doc", "/usr/share/info", "/usr/share/man", "/usr/share/R/doc"];

    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".txt", ".md", ".rst", ".html", ".htm", ".info", ".text",
    };

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var outDir = args.Required("out");
        var target = args.Int("chunks", 100_000);
        var queryCount = args.Int("queries", 1000);
        var random = new Random(args.Int("seed", 1));
        Directory.CreateDirectory(outDir);

        var seen = new HashSet<ulong>();
        var chunks = new List<string>(target);
        var files = 0;
        var bytes = 0L;
        foreach (var path in EnumerateSources())
        {
            if (chunks.Count >= target)
            {
                break;
            }

            string text;
            try
            {
                text = ToPlainText(path, await ReadAsync(path));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                continue;
            }

            files++;
            bytes += text.Length;
            Pack(text, seen, chunks, target, random);
        }

        await File.WriteAllLinesAsync(Path.Combine(outDir, "corpus.txt"), chunks);
        var queries = MakeQueries(chunks, queryCount, random);
        await File.WriteAllLinesAsync(Path.Combine(outDir, "queries.txt"), queries);
        var words = chunks.Sum(c => c.Count(ch => ch == ' ') + 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chunks={chunks.Count} queries={queries.Count} files={files} text_mb={bytes / 1048576.0:F1} mean_words={(double)words / Math.Max(1, chunks.Count):F0} out={outDir}"));
        if (chunks.Count < target)
        {
            Console.Error.WriteLine($"Only {chunks.Count} chunks of real text found; install more documentation (e.g. apt-get install postgresql-doc-15 python3-doc) and run again.");
        }

        return 0;
    }

    private static IEnumerable<string> EnumerateSources()
    {
        foreach (var root in Roots.Where(Directory.Exists))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
            foreach (var path in Directory.EnumerateFiles(root, "*", options).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                var bare = name.EndsWith(".gz", StringComparison.Ordinal) ? name[..^3] : name;
                var isText = root is not ("/usr/share/doc" or "/usr/share/R/doc")
                    || TextExtensions.Contains(Path.GetExtension(bare))
                    || bare.StartsWith("README", StringComparison.Ordinal) || bare.StartsWith("NEWS", StringComparison.Ordinal)
                    || bare.StartsWith("changelog", StringComparison.Ordinal) || bare == "copyright" || bare.StartsWith("FAQ", StringComparison.Ordinal);
                if (isText && !name.EndsWith(".png", StringComparison.Ordinal) && name != "dir")
                {
                    yield return path;
                }
            }
        }
    }

    private static async Task<string> ReadAsync(string path)
    {
        await using var file = File.OpenRead(path);
        Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        await using (stream)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var text = await reader.ReadToEndAsync();
            return text.Contains('\0', StringComparison.Ordinal) ? string.Empty : text;
        }
    }

    private static string ToPlainText(string path, string raw)
    {
        if (path.StartsWith("/usr/share/man/", StringComparison.Ordinal))
        {
            return Troff(raw);
        }

        var bare = path.EndsWith(".gz", StringComparison.Ordinal) ? path[..^3] : path;
        if (bare.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || bare.EndsWith(".htm", StringComparison.OrdinalIgnoreCase))
        {
            var noScripts = ScriptOrStyle().Replace(raw, " ");
            var blocks = BlockTag().Replace(noScripts, "\n\n");
            return WebUtility.HtmlDecode(AnyTag().Replace(blocks, " "));
        }

        return raw;
    }

    /// <summary>Rough troff → text: drops comments and formatting requests, keeps the text of heading/font macros, removes escapes.</summary>
    private static string Troff(string raw)
    {
        var output = new StringBuilder(raw.Length);
        foreach (var line in raw.Split('\n'))
        {
            if (line.StartsWith(".\\\"", StringComparison.Ordinal) || line.StartsWith("'\\\"", StringComparison.Ordinal) || line.StartsWith("\\\"", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.StartsWith('.') || line.StartsWith('\''))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var macro = space < 0 ? line[1..] : line[1..space];
                var rest = space < 0 ? string.Empty : line[(space + 1)..].Replace("\"", string.Empty, StringComparison.Ordinal);
                switch (macro)
                {
                    case "SH" or "SS" or "Sh" or "Ss":
                        output.Append("\n\n").Append(rest).Append("\n\n");
                        break;
                    case "B" or "I" or "BI" or "BR" or "IB" or "IR" or "RB" or "RI" or "SM" or "SB" or "Nm" or "Nd" or "Fl" or "Ar" or "Xr" or "Pa" or "Em" or "Dq" or "Ql":
                        output.Append(rest).Append(' ');
                        break;
                    case "IP" or "TP" or "PP" or "LP" or "P" or "sp" or "Pp" or "It":
                        output.Append("\n\n").Append(macro is "IP" or "It" ? rest : string.Empty).Append(' ');
                        break;
                }

                continue;
            }

            output.Append(line).Append('\n');
        }

        var text = output.ToString();
        text = FontEscape().Replace(text, string.Empty);
        text = text.Replace("\\-", "-", StringComparison.Ordinal).Replace("\\(em", "—", StringComparison.Ordinal)
            .Replace("\\(en", "–", StringComparison.Ordinal).Replace("\\(aq", "'", StringComparison.Ordinal)
            .Replace("\\(lq", "\"", StringComparison.Ordinal).Replace("\\(rq", "\"", StringComparison.Ordinal)
            .Replace("\\e", "\\", StringComparison.Ordinal).Replace("\\ ", " ", StringComparison.Ordinal);
        return OtherEscape().Replace(text, string.Empty);
    }

    /// <summary>Splits into paragraphs, drops paragraphs already seen anywhere, packs the rest into chunks of a random target size.</summary>
    private static void Pack(string text, HashSet<ulong> seen, List<string> chunks, int target, Random random)
    {
        var current = new StringBuilder();
        var words = 0;
        var goal = random.Next(60, 381);
        foreach (var paragraph in ParagraphBreak().Split(text))
        {
            var clean = Whitespace().Replace(paragraph, " ").Trim();
            if (clean.Length < 20 || !seen.Add(Hash(clean)))
            {
                continue;
            }

            foreach (var piece in SplitLong(clean, 380))
            {
                current.Append(current.Length > 0 ? " " : string.Empty).Append(piece);
                words += piece.Count(c => c == ' ') + 1;
                if (words >= goal)
                {
                    Flush();
                }
            }
        }

        if (words >= 60)
        {
            Flush();
        }

        void Flush()
        {
            if (chunks.Count < target)
            {
                chunks.Add(current.ToString());
            }

            current.Clear();
            words = 0;
            goal = random.Next(60, 381);
        }
    }

    private static IEnumerable<string> SplitLong(string paragraph, int maxWords)
    {
        var words = paragraph.Split(' ');
        for (var i = 0; i < words.Length; i += maxWords)
        {
            yield return string.Join(' ', words.Skip(i).Take(maxWords));
        }
    }

    /// <summary>Queries drawn from random chunks: 2–4 consecutive content words (keyword style) or a 5–9 word phrase (question style).</summary>
    private static List<string> MakeQueries(List<string> chunks, int count, Random random)
    {
        var queries = new List<string>(count);
        var attempts = 0;
        while (queries.Count < count && chunks.Count > 0 && attempts++ < count * 20)
        {
            var words = WordPattern().Matches(chunks[random.Next(chunks.Count)]).Select(m => m.Value).ToArray();
            if (words.Length < 12)
            {
                continue;
            }

            var phrase = random.NextDouble() < 0.3;
            var length = phrase ? random.Next(5, 10) : random.Next(2, 5);
            var start = random.Next(0, words.Length - length);
            var window = words.Skip(start).Take(length).ToArray();
            if (!phrase && window.Any(w => w.Length < 3 || TextAnalyzer.IsStopWord(w.ToLowerInvariant())))
            {
                continue;
            }

            queries.Add(string.Join(' ', window));
        }

        return queries;
    }

    private static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    [GeneratedRegex(@"<(script|style)\b.*?</\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex(@"</?(p|br|div|h[1-6]|li|tr|pre|table|ul|ol|dt|dd|blockquote)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex AnyTag();

    [GeneratedRegex(@"\\f(\[[^\]]*\]|\(..|.)")]
    private static partial Regex FontEscape();

    [GeneratedRegex(@"\\(\*\[[^\]]*\]|\*\(..|\*.|\(..|\[[^\]]*\]|s[+-]?\d|n\(..|n.|[&%:/,^|0c])")]
    private static partial Regex OtherEscape();

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex ParagraphBreak();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\p{L}[\p{L}\p{Nd}'-]*")]
    private static partial Regex WordPattern();
}
