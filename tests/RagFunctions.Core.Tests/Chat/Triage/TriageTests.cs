using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Chat.Triage;
using RagFunctions.Core.History;
using RagFunctions.Tests.Fakes.Chat;

namespace RagFunctions.Core.Tests.Chat.Triage;

public sealed class TriageTests
{
    private static MessageTriager Rules(TriageOptions? options = null) =>
        new(null, Options.Create(options ?? new TriageOptions()), NullLogger<MessageTriager>.Instance);

    [Theory]
    [InlineData("What port does PostgreSQL listen on?", "question", false)]
    [InlineData("Thanks, that was very helpful!", "feedback", false)]
    [InlineData("This is useless, the worst answer ever. I am so frustrated!", "complaint", true)]
    [InlineData("The export button crashes the app with an error", "bug_report", false)]
    [InlineData("I want to talk to a real person please", "request_human", true)]
    [InlineData("Bagaimana cara mengubah port PostgreSQL?", "question", false)]
    [InlineData("Terima kasih, sangat membantu!", "feedback", false)]
    [InlineData("Jawabannya jelek sekali, saya sangat kecewa dan kesal!", "complaint", true)]
    [InlineData("Aplikasinya error dan tidak berfungsi sejak kemarin", "bug_report", false)]
    [InlineData("Saya mau bicara dengan petugas, bukan bot", "request_human", true)]
    public async Task English_and_Indonesian_messages_get_an_intent_a_sentiment_and_an_escalation_flag(string message, string intent, bool escalate)
    {
        var triage = await Rules().AssessAsync(message, [], CancellationToken.None);

        Assert.Equal(intent, triage.Intent);
        Assert.Equal(escalate, triage.Escalate);
        Assert.InRange(triage.Sentiment, -1, 1);
        Assert.Equal("rules", triage.Classifier);
        Assert.Equal(escalate, triage.Reasons.Count > 0);
    }

    [Theory]
    [InlineData("This is good", "This is not good")]
    [InlineData("Ini bagus", "Ini tidak bagus")]
    [InlineData("helpful", "very helpful")]
    public void Negation_flips_and_intensifiers_strengthen_sentiment(string plain, string changed)
    {
        var a = RuleTriageClassifier.Classify(plain).Sentiment;
        var b = RuleTriageClassifier.Classify(changed).Sentiment;
        if (changed.Contains("not", StringComparison.Ordinal) || changed.Contains("tidak", StringComparison.Ordinal))
        {
            Assert.True(a > 0 && b < 0, $"{a} → {b}");
        }
        else
        {
            Assert.True(b > a, $"{a} → {b}");
        }
    }

    [Fact]
    public async Task Repeated_not_found_answers_escalate_the_next_message()
    {
        var t = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var notFound = new MessageMetadata("answer", "extractive", null, null, new Dictionary<string, System.Text.Json.JsonElement>
        {
            ["grounding"] = System.Text.Json.JsonSerializer.SerializeToElement(new { relevant = false }),
        });
        IReadOnlyList<ConversationMessage> once = [new("u1", "c", "a", MessageRole.User, "capital of Mongolia?", t), new("a1", "c", "a", MessageRole.Assistant, "not covered", t, "u1", Metadata: notFound)];
        IReadOnlyList<ConversationMessage> twice = [.. once, new("u2", "c", "a", MessageRole.User, "capital of Peru?", t), new("a2", "c", "a", MessageRole.Assistant, "not covered", t, "u2", Metadata: notFound)];

        Assert.False((await Rules().AssessAsync("And the capital of Chile?", once, CancellationToken.None)).Escalate);
        var escalated = await Rules().AssessAsync("And the capital of Chile?", twice, CancellationToken.None);
        Assert.True(escalated.Escalate);
        Assert.Contains("2 earlier answers", Assert.Single(escalated.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_classifies_in_one_call_and_a_slow_or_garbled_model_falls_back_to_the_rules()
    {
        var model = new FuncChatClient(_ => "```json\n{\"intent\": \"complaint\", \"sentiment\": -0.7}\n```");
        var byModel = await new MessageTriager(new ChainModel("cheap", model, TimeSpan.FromSeconds(5)), Options.Create(new TriageOptions()), NullLogger<MessageTriager>.Instance)
            .AssessAsync("The answers keep missing the point.", [], CancellationToken.None);
        Assert.Equal(("complaint", -0.7, "cheap", true), (byModel.Intent, byModel.Sentiment, byModel.Classifier, byModel.Escalate));
        Assert.Single(model.Requests);

        var slow = new MessageTriager(new ChainModel("slow", new ScriptedChatClient("{\"intent\":\"question\",\"sentiment\":0}", delay: TimeSpan.FromSeconds(10)), TimeSpan.FromMilliseconds(200)),
            Options.Create(new TriageOptions()), NullLogger<MessageTriager>.Instance);
        var fallback = await slow.AssessAsync("I want to speak to a human agent", [], CancellationToken.None);
        Assert.Equal(("request_human", "rules", true), (fallback.Intent, fallback.Classifier, fallback.Escalate));

        var garbled = new MessageTriager(new ChainModel("garbled", new ScriptedChatClient("I think it is a question."), TimeSpan.FromSeconds(5)),
            Options.Create(new TriageOptions()), NullLogger<MessageTriager>.Instance);
        Assert.Equal("rules", (await garbled.AssessAsync("What is CLUSTER?", [], CancellationToken.None)).Classifier);
    }

    [Fact]
    public async Task An_intent_outside_the_configured_list_becomes_the_last_configured_one()
    {
        var triage = await Rules(new TriageOptions { Intents = ["question", "complaint", "other"] }).AssessAsync("The app crashes with an error", [], CancellationToken.None);
        Assert.Equal("other", triage.Intent);
    }
}
