using System.Text.RegularExpressions;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Chat.Grounding;

/// <summary>The content words of a question or a passage, compared by stem: lower-cased words without English or Indonesian
/// function words and without the words every question shares ("tell", "explain", "please"). Used to judge whether a passage
/// answers a question (<see cref="RelevanceFloor"/>, <see cref="ExtractiveAnswerer"/>) and to carry a conversation's topic into
/// the next retrieval (<see cref="ContextQueryBuilder"/>).</summary>
public static partial class GroundingTerms
{
    private static readonly HashSet<string> QuestionWords = new(StringComparer.Ordinal)
    {
        // English words that shape a question but carry no topic.
        "tell", "please", "explain", "describe", "know", "want", "need", "like", "get", "give", "show", "find", "say", "says", "said",
        "mean", "means", "thing", "things", "way", "ways", "also", "else", "much", "many", "one", "ones", "lot", "kind", "sort", "use",
        "using", "used", "can", "could", "may", "might", "must", "shall", "let", "thanks", "thank", "hi", "hello", "ok", "okay", "yes",
        "long", "often", "something", "anything", "everything", "someone", "anyone", "us",
        // Indonesian function words (the English stop list does not cover them).
        "yang", "dan", "di", "ke", "dari", "ini", "itu", "untuk", "dengan", "atau", "pada", "adalah", "dalam", "tidak", "akan",
        "saya", "aku", "kamu", "anda", "kami", "kita", "mereka", "dia", "ia", "apa", "apakah", "bagaimana", "kenapa", "mengapa",
        "siapa", "kapan", "mana", "dimana", "berapa", "bisa", "dapat", "sudah", "belum", "juga", "saja", "ada", "tolong", "mohon",
        "ya", "tidak", "tak", "nya", "lah", "kah", "pun", "sih", "dong", "kok", "tersebut", "sangat", "lebih", "karena", "jika",
        "kalau", "agar", "supaya", "oleh", "sebagai", "seperti", "tentang", "bagi", "para", "sama", "masih", "lagi", "harus",
    };

    /// <summary>Verbs that ask for and answer the same action: "How can I change it?" is answered by "... can only be set at server
    /// start". Small on purpose (the actions how-to questions ask about), English and Indonesian; compared by stem.</summary>
    private static readonly string[][] ActionClasses =
    [
        ["change", "modify", "alter", "set", "adjust", "configure", "edit", "override", "specify", "customize", "ubah", "mengubah", "diubah", "ganti", "mengganti", "diganti", "atur", "mengatur", "diatur"],
        ["start", "run", "launch", "boot", "jalankan", "menjalankan", "mulai", "memulai"],
        ["stop", "shut", "shutdown", "halt", "terminate", "hentikan", "menghentikan"],
        ["install", "instal", "menginstal", "pasang", "memasang"],
        ["remove", "delete", "uninstall", "hapus", "menghapus"],
    ];

    private static readonly Dictionary<string, HashSet<string>> Relations = BuildRelations();

    /// <summary>The stems that count as <paramref name="stem"/> when judging whether a sentence answers a question: the stem itself and,
    /// for an action verb, the other verbs of its class.</summary>
    public static IReadOnlySet<string> Related(string stem) =>
        Relations.TryGetValue(stem, out var related) ? related : new HashSet<string>(StringComparer.Ordinal) { stem };

    private static Dictionary<string, HashSet<string>> BuildRelations()
    {
        var relations = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var verbs in ActionClasses)
        {
            var stems = verbs.Select(Stem).ToList();
            foreach (var stem in stems)
            {
                // The stem itself first: callers compare it more strictly than its relatives.
                relations[stem] = new HashSet<string>([stem, .. stems], StringComparer.Ordinal);
            }
        }

        return relations;
    }

    /// <summary>Distinct stems of the content words of <paramref name="text"/>, in first-seen order.</summary>
    public static IReadOnlyList<string> Stems(string text) => [.. Words(text).Select(Stem).Distinct(StringComparer.Ordinal)];

    /// <summary>The content words themselves (lower case, distinct, first-seen order), for building search text.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Word().Matches(text))
        {
            var w = m.Value.ToLowerInvariant().Trim('_');
            if (w.Length < 2 || TextAnalyzer.IsStopWord(w) || QuestionWords.Contains(w))
            {
                continue;
            }

            if (seen.Add(w))
            {
                words.Add(w);
            }
        }

        return words;
    }

    /// <summary>The stem set of a passage, for repeated coverage checks.</summary>
    public static HashSet<string> StemSet(string text) => [.. Words(text).Select(Stem)];

    /// <summary>Share (0–1) of <paramref name="questionStems"/> that occur in <paramref name="passageStems"/>, each weighted by
    /// <paramref name="weight"/> (1 when null). An empty question covers nothing.</summary>
    public static double Coverage(IReadOnlyList<string> questionStems, IReadOnlySet<string> passageStems, Func<string, double>? weight = null)
    {
        double total = 0, matched = 0;
        foreach (var stem in questionStems)
        {
            var w = weight?.Invoke(stem) ?? 1;
            total += w;
            if (passageStems.Contains(stem))
            {
                matched += w;
            }
        }

        return total <= 0 ? 0 : matched / total;
    }

    /// <summary>Plural-only normalisation ("listens" → "listen", "ports" → "port", "porting" unchanged): a match on it is a
    /// match on the same word; a match only on the Porter stem ("porting" ~ "port") is weaker.</summary>
    public static string Light(string word) =>
        word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal) ? word[..^3] + "y"
        : word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal) ? word[..^1]
        : word;

    public static string Stem(string word) => word.Length <= 3 ? word : PorterStemmer.Stem(word);

    [GeneratedRegex(@"[\p{L}\p{N}_]+(?:[.'’-][\p{L}\p{N}_]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
