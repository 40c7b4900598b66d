using System.Globalization;
using System.Text;

namespace RagFunctions.Core.Assessment;

/// <summary>The deterministic advisor used when no model is configured: answers a career or profile question from the stored
/// assessment profile (RIASEC, Big Five, VIA strengths, persona), always saying which scores the advice rests on. The question
/// picks the angle (careers, a named strength, a named trait, a typical day, skills, trying a career out, work environment);
/// careers come from the two strongest RIASEC types (Holland pairs) and the persona's recommendations.</summary>
public static class AdvisorAnswers
{
    public const string Note = "Advisor answer from your assessment profile (no language model is configured):";

    private static readonly Dictionary<string, string[]> PairCareers = new(StringComparer.Ordinal)
    {
        ["RI"] = ["mechanical engineer", "civil engineer", "geologist", "forensic scientist", "laboratory technician"],
        ["RA"] = ["architect", "industrial designer", "landscape architect", "sound engineer", "furniture designer"],
        ["RS"] = ["physical therapist", "athletic trainer", "firefighter", "vocational instructor", "occupational therapy assistant"],
        ["RE"] = ["construction manager", "farm manager", "building contractor", "operations manager", "chef-owner"],
        ["RC"] = ["electrician", "land surveyor", "aircraft mechanic", "quality inspector", "CNC machinist"],
        ["IA"] = ["UX researcher", "game developer", "medical illustrator", "science writer", "data visualisation designer"],
        ["IS"] = ["physician", "psychologist", "pharmacist", "nurse practitioner", "science teacher"],
        ["IE"] = ["management consultant", "technical product manager", "economist", "tech entrepreneur", "research director"],
        ["IC"] = ["data analyst", "actuary", "software developer", "statistician", "financial analyst"],
        ["AS"] = ["art therapist", "music teacher", "drama teacher", "counsellor", "community arts coordinator"],
        ["AE"] = ["creative director", "marketing manager", "film producer", "fashion designer", "advertising strategist"],
        ["AC"] = ["graphic designer", "technical writer", "editor", "web designer", "archivist"],
        ["SE"] = ["school principal", "HR manager", "nonprofit director", "sales manager", "training manager"],
        ["SC"] = ["dental hygienist", "school administrator", "librarian", "HR specialist", "medical records coordinator"],
        ["EC"] = ["financial manager", "project manager", "bank branch manager", "business administrator", "real estate broker"],
    };

    private static readonly Dictionary<string, string> Activities = new(StringComparer.Ordinal)
    {
        ["R"] = "building, fixing and working hands-on", ["I"] = "researching, analysing and solving complex problems",
        ["A"] = "creating, designing and expressing ideas", ["S"] = "helping, teaching and supporting people",
        ["E"] = "leading, persuading and starting new things", ["C"] = "organising, planning and working with detail",
    };

    private static readonly Dictionary<string, string> Skills = new(StringComparer.Ordinal)
    {
        ["R"] = "technical and mechanical skills (tools, CAD, a trade or lab certification)",
        ["I"] = "analysis and research methods (statistics, programming, the scientific method)",
        ["A"] = "a portfolio and design tools (sketching, writing, visual or audio software)",
        ["S"] = "communication, coaching and listening skills (tutoring, mentoring, first aid)",
        ["E"] = "leadership, negotiation and presenting (lead a project, pitch an idea)",
        ["C"] = "organisation and data skills (spreadsheets, databases, bookkeeping, project planning)",
    };

    private static readonly Dictionary<string, string> Environments = new(StringComparer.Ordinal)
    {
        ["R"] = "workshops, sites, labs or outdoors, where results are tangible",
        ["I"] = "research groups, labs and analytical teams with room for deep, focused work",
        ["A"] = "studios and creative teams with freedom in how the work is done",
        ["S"] = "schools, clinics and community settings, working closely with people",
        ["E"] = "fast-moving businesses where you can lead and take initiative",
        ["C"] = "well-organised offices with clear procedures and standards",
    };

    private static readonly Dictionary<string, (string High, string Low)> TraitAdvice = new(StringComparer.Ordinal)
    {
        ["O"] = ("openness favours roles that keep changing: research, design, strategy and anything new to learn",
                 "a preference for proven, practical approaches fits roles with established methods: operations, trades, compliance, administration"),
        ["C"] = ("conscientiousness is rewarded where reliability matters: engineering, finance, healthcare, project management",
                 "lower conscientiousness is easier to manage with checklists, short deadlines and a team that shares planning"),
        ["E"] = ("extraversion makes people-facing roles energising: sales, teaching, leadership, events",
                 "a quieter style suits focused work: research, analysis, writing, programming, skilled trades"),
        ["A"] = ("agreeableness is valued in cooperative roles: healthcare, teaching, HR, counselling",
                 "a direct, independent style pays off in negotiation, law, management and entrepreneurship"),
        ["N"] = ("a higher stress response is easier in calm, predictable roles; build routines and recovery time into your week",
                 "calm under stress suits high-pressure roles: emergency services, surgery, trading, operations control"),
    };

    private static readonly Dictionary<string, string> StrengthAtWork = new(StringComparer.Ordinal)
    {
        ["creativity"] = "design, product development, marketing and research, where new solutions are the job",
        ["curiosity"] = "research, investigative journalism, data analysis and consulting, where asking questions is the work",
        ["leadership"] = "team lead, project manager or founder roles, and volunteering to coordinate a project now",
        ["kindness"] = "healthcare, social work and teaching, where caring for people is central",
        ["teamwork"] = "cross-functional teams, operations and healthcare, where shared goals matter",
        ["perseverance"] = "engineering, research and long projects that need steady effort",
        ["love_of_learning"] = "research, teaching, training and fields that change fast",
        ["judgment"] = "analysis, auditing, law and consulting, where weighing evidence is the core task",
        ["social_intelligence"] = "sales, counselling, HR and management, where reading people matters",
        ["honesty"] = "auditing, quality assurance, journalism and any role built on trust",
        ["fairness"] = "HR, law, mediation and public service",
        ["zest"] = "fast-paced, varied roles: events, sales, start-ups, outdoor work",
    };

    /// <summary>True when the question is about the user's own profile or career rather than about the documents.</summary>
    public static bool IsProfileQuestion(string question)
    {
        var q = " " + question.ToLowerInvariant() + " ";
        string[] cues =
        [
            " my ", " me ", " i ", " i'm ", " career", " job", " jobs ", " role", " work", " profession", " strength", " interest", " personality",
            " trait", " profile", " riasec", " skill", " typical day", " occupation", " karier", " karir", " pekerjaan", " minat", " kepribadian",
            " kekuatan", " saya ",
        ];
        return cues.Any(c => q.Contains(c, StringComparison.Ordinal));
    }

    public static string Compose(AssessmentProfile profile, string question)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var q = question.ToLowerInvariant();
        var first = profile.RiasecRanked[0];
        var second = profile.RiasecRanked[1];
        var careers = Careers(profile);
        var why = $"because your strongest interests are {Riasec.Names[first.Key]} ({Score(first.Value)}: {Activities[first.Key]}) and " +
                  $"{Riasec.Names[second.Key]} ({Score(second.Value)}: {Activities[second.Key]})";
        var sb = new StringBuilder(Note).Append("\n\n");

        var strength = profile.StrengthsRanked.Select(s => s.Key).FirstOrDefault(s => q.Contains(ViaStrengths.Display(s), StringComparison.Ordinal));
        var trait = BigFive.Codes.FirstOrDefault(code => q.Contains(BigFive.Names[code].ToLowerInvariant(), StringComparison.Ordinal))
            ?? (q.Contains("stress", StringComparison.Ordinal) || q.Contains("calm", StringComparison.Ordinal) ? "N" : null);
        var dayCareer = profile.Results.PersonaProfile?.CareerRecommendations.FirstOrDefault(c => q.Contains(c.ToLowerInvariant(), StringComparison.Ordinal));

        if (dayCareer is not null && q.Contains("day", StringComparison.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"A typical day as a {dayCareer} would mix {Activities[first.Key]} with {Activities[second.Key]}: that is the kind of day your profile points to ({why}). ");
            sb.Append(CultureInfo.InvariantCulture, $"Expect settings like {Environments[first.Key]}. Your assessment lists {dayCareer} among your recommended careers.");
        }
        else if (strength is not null && !q.Contains("combine", StringComparison.Ordinal) && !q.Contains("both", StringComparison.Ordinal))
        {
            var score = profile.StrengthsRanked.First(s => s.Key == strength).Value;
            sb.Append(CultureInfo.InvariantCulture,
                $"{Capitalise(ViaStrengths.Display(strength))} is one of your top character strengths ({Score(score)}). It is used most in " +
                $"{StrengthAtWork.GetValueOrDefault(strength, "roles where it is part of the everyday work")}. ");
            sb.Append(CultureInfo.InvariantCulture, $"Combined with your interests, careers such as {Join(careers.Take(3))} let you use it daily ({why}).");
        }
        else if (trait is not null)
        {
            var rank = profile.OceanRanked.ToList().FindIndex(o => o.Key == trait);
            var value = profile.OceanRanked[rank].Value;
            var high = rank < profile.OceanRanked.Count / 2.0;
            var (highAdvice, lowAdvice) = TraitAdvice[trait];
            sb.Append(CultureInfo.InvariantCulture, $"Your {BigFive.Names[trait]} score is {Score(value)} ({(high ? "one of your higher" : "one of your lower")} traits): {(high ? highAdvice : lowAdvice)}. ");
            sb.Append(CultureInfo.InvariantCulture, $"Among careers that fit your interests ({why}), consider {Join(careers.Take(3))}.");
        }
        else if (q.Contains("skill", StringComparison.Ordinal) || q.Contains("develop", StringComparison.Ordinal) || q.Contains("learn", StringComparison.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"For careers such as {Join(careers.Take(3))}, build {Skills[first.Key]} and {Skills[second.Key]} ({why}).");
        }
        else if (q.Contains("try", StringComparison.Ordinal) || q.Contains("before committing", StringComparison.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"Try {Join(careers.Take(2))} before committing: shadow someone for a day, do a short course or project, volunteer, or ask a practitioner for a 20-minute informational interview. These fit your profile {why}.");
        }
        else if (q.Contains("environment", StringComparison.Ordinal) || q.Contains("where", StringComparison.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"You are likely to enjoy {Environments[first.Key]}, and also {Environments[second.Key]} ({why}). Careers there include {Join(careers.Take(3))}.");
        }
        else if (q.Contains("side", StringComparison.Ordinal) || q.Contains("bring", StringComparison.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"Bring your {Riasec.Names[second.Key]} side in by choosing tasks that involve {Activities[second.Key]} within your main field, or roles that combine both, such as {Join(careers.Take(3))} ({why}).");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"Careers that fit your profile: {Join(careers)} — {why}.");
            if (profile.StrengthsRanked.Count > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" Your top strengths ({Join(profile.StrengthsRanked.Take(2).Select(s => ViaStrengths.Display(s.Key)))}) make roles with room for them a better fit.");
            }
        }

        return sb.ToString();
    }

    /// <summary>Careers for the top two RIASEC types (Holland pair), then the persona's recommendations, then the first and third types.</summary>
    public static IReadOnlyList<string> Careers(AssessmentProfile profile)
    {
        var codes = profile.RiasecRanked.Select(r => r.Key).ToList();
        var list = new List<string>();
        list.AddRange(profile.Results.PersonaProfile?.CareerRecommendations ?? []);
        list.AddRange(PairCareers[Pair(codes[0], codes[1])]);
        if (codes.Count > 2)
        {
            list.AddRange(PairCareers[Pair(codes[0], codes[2])].Take(2));
        }

        return [.. list.Distinct(StringComparer.OrdinalIgnoreCase).Take(6)];
    }

    private static string Pair(string a, string b) =>
        PairCareers.ContainsKey(a + b) ? a + b : b + a;

    private static string Score(double value) => Math.Round(value, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture);

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Join(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + " and " + list[^1];
    }
}
