using System.Globalization;
using System.Text;

namespace RagFunctions.Core.Assessment;

/// <summary>Everything derived deterministically from validated results: the compact summary the chat pipeline keeps in every prompt,
/// the conversation title, 6–8 suggested questions and the template welcome used when no model answers.</summary>
public sealed class AssessmentProfile
{
    /// <summary>How many questions the welcome offers.</summary>
    public const int WelcomeQuestionCount = 3;

    private const int MaxSuggestions = 8;
    private const int MinSuggestions = 6;
    private const string Separator = " · ";

    private static readonly Dictionary<string, string> RiasecActivities = new(StringComparer.Ordinal)
    {
        ["R"] = "building, fixing and working hands-on",
        ["I"] = "researching, analysing and solving complex problems",
        ["A"] = "creating, designing and expressing ideas",
        ["S"] = "helping, teaching and supporting people",
        ["E"] = "leading, persuading and starting new things",
        ["C"] = "organising, planning and working with detail",
    };

    private static readonly Dictionary<string, string> HighTraitQuestions = new(StringComparer.Ordinal)
    {
        ["O"] = "How can my openness to new ideas and experiences guide my career choice?",
        ["C"] = "Which careers reward my conscientiousness and reliability?",
        ["E"] = "Which work environments make the most of my extraversion and energy with people?",
        ["A"] = "Which roles value my agreeableness and cooperative style?",
        ["N"] = "How can I manage stress well in the careers that fit me?",
    };

    private static readonly Dictionary<string, string> LowTraitQuestions = new(StringComparer.Ordinal)
    {
        ["O"] = "Openness is my lowest trait: which careers suit a preference for proven, practical approaches?",
        ["C"] = "Conscientiousness is my lowest trait: how can I stay organised in demanding roles?",
        ["E"] = "Extraversion is my lowest trait: which careers suit someone who recharges with quiet, focused work?",
        ["A"] = "Agreeableness is my lowest trait: where does a direct, independent style pay off?",
        ["N"] = "Neuroticism is my lowest trait: which high-pressure careers could suit my calm under stress?",
    };

    private static readonly string[] GenericQuestions =
    [
        "What skills should I develop next for the careers that fit my profile?",
        "How can I try out a career before committing to it?",
        "What does my profile say about the work environment I would enjoy most?",
    ];

    private AssessmentProfile(AssessmentResults results)
    {
        Results = results;
        RiasecRanked = Rank(results.Riasec, Riasec.Codes);
        OceanRanked = Rank(results.Ocean, BigFive.Codes);
        StrengthsRanked = Rank(results.ViaIs, ViaStrengths.All).Where(s => s.Value > 0).ToList();
        Summary = BuildSummary();
        Title = $"Your career profile ({Riasec.Names[RiasecRanked[0].Key]}–{Riasec.Names[RiasecRanked[1].Key]})";
        SuggestedQuestions = BuildSuggestions();
    }

    public AssessmentResults Results { get; }

    /// <summary>RIASEC codes, highest score first (ties in R I A S E C order).</summary>
    public IReadOnlyList<KeyValuePair<string, double>> RiasecRanked { get; }

    /// <summary>Big Five traits, highest score first (ties in O C E A N order).</summary>
    public IReadOnlyList<KeyValuePair<string, double>> OceanRanked { get; }

    /// <summary>VIA strengths with a positive score, highest first.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> StrengthsRanked { get; }

    /// <summary>Compact profile kept in every prompt, e.g. <c>RIASEC I92 R85 A78 · Big Five O88 E82 C75 · top strengths creativity, leadership</c>.</summary>
    public string Summary { get; }

    /// <summary>Conversation title from the two strongest RIASEC types, e.g. "Your career profile (Investigative–Realistic)".</summary>
    public string Title { get; }

    /// <summary>6–8 questions from the top two RIASEC types, the highest and lowest Big Five traits and the top strengths.</summary>
    public IReadOnlyList<string> SuggestedQuestions { get; }

    /// <summary>The questions the welcome offers (the first three suggestions, which cover interests, strengths and personality).</summary>
    public IReadOnlyList<string> WelcomeQuestions => SuggestedQuestions.Take(WelcomeQuestionCount).ToList();

    public static AssessmentProfile From(AssessmentResults results) => new(results);

    /// <summary>The deterministic welcome: top RIASEC codes, top strengths and three questions.</summary>
    public string TemplateWelcome()
    {
        var text = new StringBuilder();
        text.Append("Welcome! Your assessment results are ready, and I'm here to help you turn them into career ideas.\n\n");
        var interests = RiasecRanked.Take(3).Select(r => $"{Riasec.Names[r.Key]} ({Format(r.Value)})").ToList();
        text.Append(CultureInfo.InvariantCulture, $"Your strongest interests are {JoinNatural(interests)}.");
        if (StrengthsRanked.Count > 0)
        {
            var strengths = StrengthsRanked.Take(3).Select(s => ViaStrengths.Display(s.Key)).ToList();
            text.Append(CultureInfo.InvariantCulture, $" Your top character strengths are {JoinNatural(strengths)}.");
        }

        var high = OceanRanked[0];
        text.Append(CultureInfo.InvariantCulture, $" In personality, {BigFive.Names[high.Key]} stands out ({Format(high.Value)}).");
        if (Results.PersonaProfile?.Title is { } personaTitle)
        {
            text.Append(CultureInfo.InvariantCulture, $" Your profile: \"{personaTitle}\".");
        }

        text.Append("\n\nYou could start with one of these questions:\n");
        var number = 1;
        foreach (var question in WelcomeQuestions)
        {
            text.Append(CultureInfo.InvariantCulture, $"{number++}. {question}\n");
        }

        text.Append("\nOr ask me anything about your results.");
        return text.ToString();
    }

    /// <summary>System and user prompts asking a model for a welcome that highlights 2–3 insights and offers the three welcome questions.</summary>
    public (string System, string User) WelcomePrompt()
    {
        var system =
            "You are a warm, concise career advisor inside a chat app. The user has just completed a career and personality assessment. " +
            "Write the first message of the conversation: greet them, highlight 2–3 key insights from their profile (connect interests, personality and strengths; " +
            "be specific, encouraging and honest, no diagnosis), then offer exactly the three questions you are given as a numbered list, word for word. " +
            "At most 180 words. Plain text with a numbered list, no headings.";
        var user = new StringBuilder();
        user.Append(CultureInfo.InvariantCulture, $"Profile summary: {Summary}\n");
        user.Append("RIASEC interests (0–100): ")
            .AppendJoin(", ", RiasecRanked.Select(r => $"{Riasec.Names[r.Key]} {Format(r.Value)}")).Append('\n');
        user.Append("Big Five personality (0–100): ")
            .AppendJoin(", ", OceanRanked.Select(o => $"{BigFive.Names[o.Key]} {Format(o.Value)}")).Append('\n');
        if (StrengthsRanked.Count > 0)
        {
            user.Append("Top VIA character strengths (0–100): ")
                .AppendJoin(", ", StrengthsRanked.Take(5).Select(s => $"{ViaStrengths.Display(s.Key)} {Format(s.Value)}")).Append('\n');
        }

        if (Results.PersonaProfile is { } persona)
        {
            if (persona.Title is not null)
            {
                user.Append(CultureInfo.InvariantCulture, $"Persona: {persona.Title}\n");
            }

            if (persona.Summary is not null)
            {
                user.Append(CultureInfo.InvariantCulture, $"Persona summary: {persona.Summary}\n");
            }

            if (persona.CareerRecommendations.Count > 0)
            {
                user.Append("Recommended careers: ").AppendJoin(", ", persona.CareerRecommendations).Append('\n');
            }
        }

        user.Append("Questions to offer:\n");
        var number = 1;
        foreach (var question in WelcomeQuestions)
        {
            user.Append(CultureInfo.InvariantCulture, $"{number++}. {question}\n");
        }

        return (system, user.ToString());
    }

    private string BuildSummary()
    {
        var parts = new List<string>
        {
            "RIASEC " + string.Join(' ', RiasecRanked.Take(3).Select(r => r.Key + Format(r.Value))),
            "Big Five " + string.Join(' ', OceanRanked.Take(3).Select(o => o.Key + Format(o.Value))),
        };
        if (StrengthsRanked.Count > 0)
        {
            parts.Add("top strengths " + string.Join(", ", StrengthsRanked.Take(3).Select(s => ViaStrengths.Display(s.Key))));
        }

        return string.Join(Separator, parts);
    }

    private List<string> BuildSuggestions()
    {
        var first = RiasecRanked[0].Key;
        var second = RiasecRanked[1].Key;
        var high = OceanRanked[0].Key;
        var low = OceanRanked[^1].Key;
        var strengths = StrengthsRanked.Select(s => ViaStrengths.Display(s.Key)).ToList();

        // Ordered so the first three (the welcome's questions) cover interests, strengths and personality.
        var candidates = new List<string?>
        {
            $"Which careers combine my {Riasec.Names[first]} and {Riasec.Names[second]} interests?",
            strengths.Count > 0 ? $"How can I use my {strengths[0]} strength at work?" : null,
            HighTraitQuestions[high],
            $"Which jobs would let me spend most of my day {RiasecActivities[first]}?",
            LowTraitQuestions[low],
            $"How could I bring my {Riasec.Names[second]} side ({RiasecActivities[second]}) into my work?",
            Results.PersonaProfile?.CareerRecommendations.FirstOrDefault() is { } career ? $"What would a typical day look like as a {career}?" : null,
            strengths.Count > 1 ? $"Which roles make the most of both my {strengths[0]} and {strengths[1]}?" : null,
        };
        var questions = candidates.OfType<string>().Distinct(StringComparer.Ordinal).Take(MaxSuggestions).ToList();
        foreach (var generic in GenericQuestions)
        {
            if (questions.Count >= MinSuggestions)
            {
                break;
            }

            questions.Add(generic);
        }

        return questions;
    }

    private static List<KeyValuePair<string, double>> Rank(IReadOnlyDictionary<string, double> scores, IReadOnlyList<string> order) =>
        [.. order.Where(scores.ContainsKey)
            .Select((key, index) => (Pair: new KeyValuePair<string, double>(key, scores[key]), Index: index))
            .OrderByDescending(x => x.Pair.Value)
            .ThenBy(x => x.Index)
            .Select(x => x.Pair)];

    private static string Format(double score) =>
        Math.Round(score, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture);

    private static string JoinNatural(IReadOnlyList<string> items) => items.Count switch
    {
        0 => string.Empty,
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };
}
