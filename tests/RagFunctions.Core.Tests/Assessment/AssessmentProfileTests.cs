using RagFunctions.Core.Assessment;

namespace RagFunctions.Core.Tests.Assessment;

public sealed class AssessmentProfileTests
{
    private static AssessmentProfile Sample() => AssessmentProfile.From(AssessmentSamples.Event().Results);

    [Fact]
    public void Summary_matches_the_issue_example()
    {
        // The example in issue 4 for exactly these scores.
        Assert.Equal("RIASEC I92 R85 A78 · Big Five O88 E82 C75 · top strengths creativity, leadership", Sample().Summary);
    }

    [Fact]
    public void Title_names_the_two_strongest_riasec_types()
    {
        Assert.Equal("Your career profile (Investigative–Realistic)", Sample().Title);
    }

    [Fact]
    public void Summary_follows_the_scores_not_a_fixed_order()
    {
        var results = AssessmentSamples.Event().Results with
        {
            Riasec = new Dictionary<string, double> { ["R"] = 10, ["I"] = 20, ["A"] = 30, ["S"] = 99, ["E"] = 50, ["C"] = 60 },
            ViaIs = new Dictionary<string, double>(),
        };

        var profile = AssessmentProfile.From(results);

        Assert.StartsWith("RIASEC S99 C60 E50 · ", profile.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("strengths", profile.Summary, StringComparison.Ordinal);
        Assert.Equal("Your career profile (Social–Conventional)", profile.Title);
    }

    [Fact]
    public void Suggestions_are_six_to_eight_distinct_and_cover_riasec_big_five_and_strengths()
    {
        var questions = Sample().SuggestedQuestions;

        Assert.InRange(questions.Count, 6, 8);
        Assert.Equal(questions.Count, questions.Distinct().Count());
        var text = string.Join("\n", questions);
        Assert.Contains("Investigative", text, StringComparison.Ordinal);
        Assert.Contains("Realistic", text, StringComparison.Ordinal);
        Assert.Contains("openness", text, StringComparison.OrdinalIgnoreCase);     // highest Big Five (O 88)
        Assert.Contains("Neuroticism", text, StringComparison.Ordinal);           // lowest Big Five (N 30)
        Assert.Contains("creativity", text, StringComparison.Ordinal);            // top strength
        Assert.Contains("Data Scientist", text, StringComparison.Ordinal);        // first recommended career
    }

    [Fact]
    public void Suggestions_are_deterministic_and_at_least_six_without_strengths_or_persona()
    {
        var bare = AssessmentSamples.Event().Results with { ViaIs = new Dictionary<string, double>(), PersonaProfile = null };

        var first = AssessmentProfile.From(bare).SuggestedQuestions;
        var second = AssessmentProfile.From(bare).SuggestedQuestions;

        Assert.Equal(first, second);
        Assert.InRange(first.Count, 6, 8);
    }

    [Fact]
    public void Template_welcome_names_top_codes_and_strengths_and_offers_three_questions()
    {
        var profile = Sample();

        var welcome = profile.TemplateWelcome();

        Assert.Contains("Investigative (92)", welcome, StringComparison.Ordinal);
        Assert.Contains("Realistic (85)", welcome, StringComparison.Ordinal);
        Assert.Contains("Artistic (78)", welcome, StringComparison.Ordinal);
        Assert.Contains("creativity and leadership", welcome, StringComparison.Ordinal);
        Assert.Equal(3, profile.WelcomeQuestions.Count);
        foreach (var question in profile.WelcomeQuestions)
        {
            Assert.Contains(question, welcome, StringComparison.Ordinal);
        }

        Assert.Equal(welcome, Sample().TemplateWelcome());
    }

    [Fact]
    public void Welcome_prompt_carries_the_profile_and_the_questions_to_offer()
    {
        var profile = Sample();

        var (system, user) = profile.WelcomePrompt();

        Assert.Contains("2–3", system, StringComparison.Ordinal);
        Assert.Contains(profile.Summary, user, StringComparison.Ordinal);
        Assert.Contains("The Inventive Analyst", user, StringComparison.Ordinal);
        Assert.All(profile.WelcomeQuestions, q => Assert.Contains(q, user, StringComparison.Ordinal));
        Assert.DoesNotContain("user-1", user, StringComparison.Ordinal);
    }
}
