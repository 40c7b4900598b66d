using System.Text.RegularExpressions;

namespace RagFunctions.Core.Chat.Triage;

/// <summary>What a classifier says about one message, before the escalation rules.</summary>
public sealed record TriageClassification(string Intent, double Sentiment, string Classifier);

/// <summary>The deterministic classifier used without a model (and when the model fails): small English and Indonesian lexicons with
/// negation ("not good", "tidak bagus") and intensifiers ("very", "sangat", "banget"); sentiment normalised into [-1, 1] like VADER
/// (sum / sqrt(sum² + 15)). Intent by the first rule that matches: request for a person, bug report, complaint, feedback, question.</summary>
public static partial class RuleTriageClassifier
{
    public const string Name = "rules";
    private const double Alpha = 15;

    // Technical words of a bug report ("crash", "error", "gagal") are only mildly negative: a factual report is not an upset user.
    private static readonly Dictionary<string, double> Lexicon = new(StringComparer.Ordinal)
    {
        // English
        ["good"] = 1.5, ["great"] = 2, ["excellent"] = 2.5, ["helpful"] = 2, ["thanks"] = 1.5, ["thank"] = 1.5, ["love"] = 2, ["perfect"] = 2.5,
        ["nice"] = 1.5, ["awesome"] = 2.5, ["works"] = 0.5, ["clear"] = 1, ["useful"] = 1.5, ["happy"] = 2, ["glad"] = 1.5,
        ["bad"] = -1.5, ["terrible"] = -2.5, ["awful"] = -2.5, ["horrible"] = -2.5, ["useless"] = -2.5, ["worst"] = -3, ["hate"] = -2.5,
        ["angry"] = -2.5, ["annoyed"] = -2, ["annoying"] = -2, ["frustrated"] = -2.5, ["frustrating"] = -2.5, ["disappointed"] = -2,
        ["disappointing"] = -2, ["unacceptable"] = -2.5, ["ridiculous"] = -2, ["wrong"] = -1.5, ["broken"] = -0.5, ["fails"] = -0.5,
        ["failed"] = -0.5, ["failing"] = -0.5, ["crash"] = -0.5, ["crashes"] = -0.5, ["slow"] = -1, ["stupid"] = -2.5, ["waste"] = -2,
        ["nonsense"] = -2, ["garbage"] = -2.5, ["pathetic"] = -2.5, ["unhelpful"] = -2, ["confusing"] = -1.5, ["problem"] = -0.5, ["error"] = -0.5,
        // Indonesian
        ["bagus"] = 1.5, ["baik"] = 1, ["hebat"] = 2, ["mantap"] = 2, ["membantu"] = 2, ["terima"] = 0.5, ["kasih"] = 1, ["makasih"] = 1.5,
        ["senang"] = 2, ["puas"] = 2, ["jelas"] = 1, ["berguna"] = 1.5, ["keren"] = 2, ["sempurna"] = 2.5,
        ["buruk"] = -2, ["jelek"] = -2, ["parah"] = -2.5, ["kecewa"] = -2, ["mengecewakan"] = -2.5, ["marah"] = -2.5, ["kesal"] = -2,
        ["payah"] = -2.5, ["lambat"] = -1, ["rusak"] = -0.5, ["gagal"] = -0.5, ["salah"] = -1.5, ["bodoh"] = -2.5, ["menyebalkan"] = -2.5,
        ["sampah"] = -2.5, ["benci"] = -2.5, ["lelet"] = -1.5, ["bingung"] = -1, ["masalah"] = -0.5, ["error"] = -0.5, ["tidakberguna"] = -2.5,
    };

    private static readonly HashSet<string> Negations = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "don't", "doesn't", "didn't", "isn't", "wasn't", "aren't", "won't", "can't", "cannot", "nothing", "hardly",
        "tidak", "tak", "bukan", "belum", "jangan", "gak", "nggak", "ga", "enggak",
    };

    private static readonly HashSet<string> Intensifiers = new(StringComparer.Ordinal)
    {
        "very", "so", "really", "extremely", "totally", "completely", "absolutely", "too", "sangat", "sekali", "banget", "amat", "terlalu", "benar-benar",
    };

    public static TriageClassification Classify(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var lower = message.ToLowerInvariant();
        var sentiment = Sentiment(message, lower);
        var intent = RequestHuman().IsMatch(lower) ? TriageIntents.RequestHuman
            : BugReport().IsMatch(lower) ? TriageIntents.BugReport
            : Complaint().IsMatch(lower) || sentiment <= -0.5 ? TriageIntents.Complaint
            : Praise().IsMatch(lower) && sentiment > 0 ? TriageIntents.Feedback
            : lower.TrimEnd().EndsWith('?') || QuestionOpener().IsMatch(lower) ? TriageIntents.Question
            : TriageIntents.Other;
        return new TriageClassification(intent, sentiment, Name);
    }

    private static double Sentiment(string message, string lower)
    {
        var tokens = Token().Matches(lower).Select(m => m.Value).ToList();
        double sum = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!Lexicon.TryGetValue(tokens[i], out var value))
            {
                continue;
            }

            for (var back = 1; back <= 3 && i - back >= 0; back++)
            {
                var before = tokens[i - back];
                if (Negations.Contains(before))
                {
                    value = -value * 0.75; // "not good" is mildly negative, "not bad" mildly positive
                    break;
                }

                if (Intensifiers.Contains(before))
                {
                    value *= 1.5;
                }
            }

            if (i + 1 < tokens.Count && Intensifiers.Contains(tokens[i + 1]))
            {
                value *= 1.5; // Indonesian puts "sekali"/"banget" after the word
            }

            sum += value;
        }

        // Shouting and exclamation marks amplify whatever the words say.
        var exclamations = Math.Min(3, message.Count(c => c == '!'));
        var letters = message.Where(char.IsLetter).ToList();
        var shouting = letters.Count >= 8 && letters.Count(char.IsUpper) > 0.7 * letters.Count;
        sum *= 1 + (0.15 * exclamations) + (shouting ? 0.3 : 0);
        return Math.Round(sum / Math.Sqrt((sum * sum) + Alpha), 3);
    }

    [GeneratedRegex(@"[\p{L}']+(?:-[\p{L}]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    [GeneratedRegex(@"\b(?:(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|some\s*one|somebody|someone)?\s*(?:human|person|real person|agent|representative|someone|somebody|staff|support)|real person|human (?:agent|being|support)|(?:customer|live) (?:service|support|agent)|representative|escalate|operator|(?:bicara|berbicara|ngobrol|hubungkan|sambungkan)\s+(?:dengan|ke|saya ke|saya dengan)\s+(?:manusia|orang|petugas|agen|operator|cs|customer service|admin)|(?:minta|mau|ingin)\s+(?:bicara|berbicara|dihubungkan)|petugas|manusia asli|orang sungguhan)\b", RegexOptions.CultureInvariant)]
    private static partial Regex RequestHuman();

    [GeneratedRegex(@"\b(?:(?:found|there(?:'s| is)|this is|it's|a) an? bug|bug in|menemukan bug|ada bug|crash(?:es|ed)?|exception|stack trace|error (?:message|code)|(?:does ?n[o']t|did ?n[o']t|is ?n[o']t|not) work(?:ing)?|broken|fails? to|throws|http 5\d\d|tidak (?:berfungsi|bisa dibuka|jalan|muncul)|gak (?:jalan|bisa)|error|galat|macet|hang|keluar sendiri)\b", RegexOptions.CultureInvariant)]
    private static partial Regex BugReport();

    [GeneratedRegex(@"\b(?:complain(?:t)?|unacceptable|refund|terrible|awful|useless|worst|ridiculous|disappointed|waste of|keluhan|komplain|kecewa|mengecewakan|parah|payah|tidak berguna|buang waktu|kesal|marah)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Complaint();

    [GeneratedRegex(@"\b(?:thanks|thank you|great answer|very helpful|well done|terima kasih|makasih|sangat membantu|mantap)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Praise();

    [GeneratedRegex(@"^\s*(?:what|how|why|when|where|which|who|whom|whose|is|are|can|could|do|does|did|should|would|will|may|apa|apakah|bagaimana|gimana|kenapa|mengapa|kapan|di ?mana|siapa|berapa|bisakah|bolehkah)\b", RegexOptions.CultureInvariant)]
    private static partial Regex QuestionOpener();
}
