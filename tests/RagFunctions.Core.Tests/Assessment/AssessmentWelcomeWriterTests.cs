using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using RagFunctions.Core.Assessment;

namespace RagFunctions.Core.Tests.Assessment;

public sealed class AssessmentWelcomeWriterTests
{
    private static readonly AssessmentProfile Profile = AssessmentProfile.From(AssessmentSamples.Event().Results);

    private static AssessmentWelcomeWriter Writer(params AssessmentChatModel[] models) =>
        new(() => models, TimeProvider.System, NullLogger<AssessmentWelcomeWriter>.Instance);

    private static Mock<IChatClient> Answering(string text)
    {
        var client = new Mock<IChatClient>();
        client.Setup(c => c.GetResponseAsync(It.IsAny<IEnumerable<ChatMessage>>(), It.IsAny<ChatOptions?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { Usage = new UsageDetails { InputTokenCount = 120, OutputTokenCount = 80 } });
        return client;
    }

    private static Mock<IChatClient> Throwing()
    {
        var client = new Mock<IChatClient>();
        client.Setup(c => c.GetResponseAsync(It.IsAny<IEnumerable<ChatMessage>>(), It.IsAny<ChatOptions?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new HttpRequestException("model down"));
        return client;
    }

    [Fact]
    public async Task No_model_configured_gives_the_template()
    {
        var draft = await Writer().WriteAsync(Profile, CancellationToken.None);

        Assert.Equal(AssessmentWelcomeWriter.TemplateModel, draft.Model);
        Assert.Equal(Profile.TemplateWelcome(), draft.Content);
        Assert.Equal(Profile.WelcomeQuestions, draft.Questions);
    }

    [Fact]
    public async Task Model_failure_falls_back_to_the_template()
    {
        var draft = await Writer(AssessmentSamples.Model("gpt-main", Throwing().Object)).WriteAsync(Profile, CancellationToken.None);

        Assert.Equal(AssessmentWelcomeWriter.TemplateModel, draft.Model);
        Assert.Equal(Profile.TemplateWelcome(), draft.Content);
    }

    [Fact]
    public async Task Model_welcome_is_used_with_the_model_name_and_the_prompt_from_the_profile()
    {
        var client = Answering("Hello! You are curious and hands-on.");
        IEnumerable<ChatMessage>? sent = null;
        client.Setup(c => c.GetResponseAsync(It.IsAny<IEnumerable<ChatMessage>>(), It.IsAny<ChatOptions?>(), It.IsAny<CancellationToken>()))
            .Callback<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken>((m, _, _) => sent = m.ToList())
            .ReturnsAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hello! You are curious and hands-on.")));

        var draft = await Writer(AssessmentSamples.Model("gpt-main", client.Object)).WriteAsync(Profile, CancellationToken.None);

        Assert.Equal("gpt-main", draft.Model);
        Assert.Equal("Hello! You are curious and hands-on.", draft.Content);
        Assert.Contains(sent!, m => m.Role == ChatRole.User && m.Text.Contains(Profile.Summary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Next_model_of_the_chain_is_tried_before_the_template()
    {
        var draft = await Writer(
                AssessmentSamples.Model("primary", Throwing().Object),
                AssessmentSamples.Model("secondary", Answering("From the second model.").Object))
            .WriteAsync(Profile, CancellationToken.None);

        Assert.Equal("secondary", draft.Model);
        Assert.Equal(200, draft.Usage!.TotalTokens);
    }

    [Fact]
    public async Task Empty_model_answer_falls_back_to_the_template()
    {
        var draft = await Writer(AssessmentSamples.Model("gpt-main", Answering("   ").Object)).WriteAsync(Profile, CancellationToken.None);

        Assert.Equal(AssessmentWelcomeWriter.TemplateModel, draft.Model);
    }

    [Fact]
    public async Task A_model_that_hangs_past_its_timeout_falls_back_to_the_template()
    {
        var client = new Mock<IChatClient>();
        client.Setup(c => c.GetResponseAsync(It.IsAny<IEnumerable<ChatMessage>>(), It.IsAny<ChatOptions?>(), It.IsAny<CancellationToken>()))
            .Returns<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken>(async (_, _, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return new ChatResponse();
            });

        var draft = await Writer(AssessmentSamples.Model("slow", client.Object, TimeSpan.FromMilliseconds(50))).WriteAsync(Profile, CancellationToken.None);

        Assert.Equal(AssessmentWelcomeWriter.TemplateModel, draft.Model);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_swallowed()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var client = new Mock<IChatClient>();
        client.Setup(c => c.GetResponseAsync(It.IsAny<IEnumerable<ChatMessage>>(), It.IsAny<ChatOptions?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new OperationCanceledException());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Writer(AssessmentSamples.Model("m", client.Object)).WriteAsync(Profile, cancelled.Token));
    }
}
