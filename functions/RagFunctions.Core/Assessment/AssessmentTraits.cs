namespace RagFunctions.Core.Assessment;

/// <summary>The RIASEC (Holland) interest types, in their canonical order.</summary>
public static class Riasec
{
    public static readonly IReadOnlyList<string> Codes = ["R", "I", "A", "S", "E", "C"];

    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["R"] = "Realistic",
        ["I"] = "Investigative",
        ["A"] = "Artistic",
        ["S"] = "Social",
        ["E"] = "Enterprising",
        ["C"] = "Conventional",
    };
}

/// <summary>The Big Five (OCEAN) personality traits, in their canonical order.</summary>
public static class BigFive
{
    public static readonly IReadOnlyList<string> Codes = ["O", "C", "E", "A", "N"];

    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["O"] = "Openness",
        ["C"] = "Conscientiousness",
        ["E"] = "Extraversion",
        ["A"] = "Agreeableness",
        ["N"] = "Neuroticism",
    };
}

/// <summary>The 24 VIA-IS character strengths. Canonical keys are snake_case; publishers may spell them in camelCase,
/// with spaces or by a common alternative name (e.g. <c>open-mindedness</c> for <c>judgment</c>).</summary>
public static class ViaStrengths
{
    public static readonly IReadOnlyList<string> All =
    [
        "creativity", "curiosity", "judgment", "love_of_learning", "perspective",
        "bravery", "perseverance", "honesty", "zest",
        "love", "kindness", "social_intelligence",
        "teamwork", "fairness", "leadership",
        "forgiveness", "humility", "prudence", "self_regulation",
        "appreciation_of_beauty_and_excellence", "gratitude", "hope", "humor", "spirituality",
    ];

    private static readonly Dictionary<string, string> Lookup = BuildLookup();

    /// <summary>The canonical key for a publisher's spelling, or null when it is not one of the 24 strengths.</summary>
    public static string? Canonicalize(string name)
    {
        var key = Squash(name);
        return Lookup.GetValueOrDefault(key);
    }

    /// <summary>Human-readable form of a canonical key ("love_of_learning" → "love of learning").</summary>
    public static string Display(string canonical) => canonical.Replace('_', ' ');

    private static Dictionary<string, string> BuildLookup()
    {
        var lookup = All.ToDictionary(Squash, s => s, StringComparer.Ordinal);
        (string Alias, string Canonical)[] aliases =
        [
            ("originality", "creativity"), ("openmindedness", "judgment"), ("judgement", "judgment"), ("criticalthinking", "judgment"),
            ("wisdom", "perspective"), ("valor", "bravery"), ("courage", "bravery"), ("persistence", "perseverance"), ("industry", "perseverance"),
            ("authenticity", "honesty"), ("integrity", "honesty"), ("vitality", "zest"), ("enthusiasm", "zest"), ("capacitytolove", "love"),
            ("generosity", "kindness"), ("citizenship", "teamwork"), ("modesty", "humility"), ("selfcontrol", "self_regulation"),
            ("appreciationofbeauty", "appreciation_of_beauty_and_excellence"), ("awe", "appreciation_of_beauty_and_excellence"),
            ("optimism", "hope"), ("humour", "humor"), ("playfulness", "humor"), ("purpose", "spirituality"), ("mercy", "forgiveness"),
        ];
        foreach (var (alias, canonical) in aliases)
        {
            lookup[alias] = canonical;
        }

        return lookup;
    }

    private static string Squash(string name) =>
        string.Concat(name.Where(char.IsLetter)).ToLowerInvariant();
}
