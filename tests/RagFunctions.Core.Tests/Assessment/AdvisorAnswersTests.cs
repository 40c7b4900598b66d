using Microsoft.Extensions.AI;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.Chat;
using RagFunctions.Core.History;

namespace RagFunctions.Core.Tests.Assessment;

public sealed class AdvisorAnswersTests
{
    private static AssessmentResults Results(double r, double i, double a, double s, double e, double c, PersonaProfile? persona = null) => new(
        new Dictionary<string, double> { ["R"] = r, ["I"] = i, ["A"] = a, ["S"] = s, ["E"] = e, ["C"] = c },
        new Dictionary<string, double> { ["O"] = 88, ["C"] = 75, ["E"] = 82, ["A"] = 70, ["N"] = 30 },
        new Dictionary<string, double> { ["creativity"] = 90, ["leadership"] = 85 },
        persona);

    public static TheoryData<string> Profiles() => new() { "IR", "SE" };

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task Every_suggested_question_gets_a_profile_answer_that_names_its_scores_without_a_model(string top)
    {
        var results = top == "IR"
            ? Results(85, 92, 78, 60, 55, 40, new PersonaProfile("The Inventive Analyst", null, ["research engineer"]))
            : Results(30, 40, 50, 95, 88, 45);
        var profile = AssessmentProfile.From(results);
        foreach (var question in profile.SuggestedQuestions)
        {
            var prompt = new List<ChatMessage>
            {
                new(ChatRole.System, PromptBuilder.SystemPrompt(ContextTypes.Assessment)),
                new(ChatRole.System, PromptFormat.RenderProfile(results)),
                new(ChatRole.User, PromptFormat.RenderUserTurn(SourceContext.Empty, question)),
            };
            var parsed = FollowupParser.Parse((await new ExtractiveAnswerer().GetResponseAsync(prompt)).Text);

            Assert.StartsWith(AdvisorAnswers.Note, parsed.Text, StringComparison.Ordinal);
            Assert.Contains(Riasec.Names[profile.RiasecRanked[0].Key], parsed.Text + question, StringComparison.Ordinal);
            Assert.Matches(@"\(\d{2}", parsed.Text);
            Assert.DoesNotContain(question, parsed.Questions);
            Assert.NotEmpty(parsed.Questions);
        }
    }

    [Fact]
    public void Careers_come_from_the_two_strongest_interests_and_the_persona()
    {
        var careers = AdvisorAnswers.Careers(AssessmentProfile.From(Results(85, 92, 78, 60, 55, 40, new PersonaProfile(null, null, ["research engineer"]))));
        Assert.Equal("research engineer", careers[0]);
        Assert.Contains("mechanical engineer", careers);
        var social = AdvisorAnswers.Careers(AssessmentProfile.From(Results(30, 40, 50, 95, 88, 45)));
        Assert.Contains("school principal", social);
    }

    [Fact]
    public async Task A_document_question_in_an_advisor_conversation_is_answered_from_the_documents()
    {
        var results = Results(85, 92, 78, 60, 55, 40);
        var context = new SourceContext([new ContextSource(new Citation(1, "k", "d", "Connections", "p.html", null, null, ""), "The TCP port the server listens on; 5432 by default.", 10)], 10, 0);
        var prompt = new List<ChatMessage>
        {
            new(ChatRole.System, PromptFormat.RenderProfile(results)),
            new(ChatRole.User, PromptFormat.RenderUserTurn(context, "Which TCP port does the server listen on?")),
        };
        var text = (await new ExtractiveAnswerer().GetResponseAsync(prompt)).Text;
        Assert.Contains("5432", text, StringComparison.Ordinal);
        Assert.DoesNotContain(AdvisorAnswers.Note, text, StringComparison.Ordinal);
    }
}
