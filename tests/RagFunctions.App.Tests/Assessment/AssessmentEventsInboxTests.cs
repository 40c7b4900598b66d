using System.Text;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;
using RagFunctions.App.Assessment;
using RagFunctions.Core.Assessment;

namespace RagFunctions.App.Tests.Assessment;

/// <summary>The HTTP inbox relay (<c>POST /api/chat/assessments/events</c>, function key) with a fake <see cref="ServiceBusSender"/>
/// (the SDK's mocking constructors): a valid event is put on the configured queue byte for byte, anything else is refused with a
/// problem and nothing is sent — a malformed event must not reach the queue, where it would only be dead-lettered later.</summary>
public sealed class AssessmentEventsInboxTests
{
    private const string ValidEvent = """
        { "eventType": "analysis_complete", "eventId": "evt-7", "userId": "user-7", "assessmentId": "asm-7",
          "completedAt": "2026-11-20T10:00:00Z",
          "results": { "riasec": {"R":85,"I":92,"A":78,"S":60,"E":55,"C":40},
                       "ocean": {"O":88,"C":75,"E":82,"A":70,"N":30},
                       "viaIs": {"creativity":90,"leadership":85} } }
        """;

    private readonly Mock<ServiceBusClient> _client = new();
    private readonly Mock<ServiceBusSender> _sender = new();
    private readonly List<ServiceBusMessage> _sent = [];

    public AssessmentEventsInboxTests()
    {
        _client.Setup(c => c.CreateSender(It.IsAny<string>())).Returns(_sender.Object);
        _sender.Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .Callback<ServiceBusMessage, CancellationToken>((m, _) => _sent.Add(m))
            .Returns(Task.CompletedTask);
    }

    private AssessmentEventsInbox Inbox(string queue = "assessment-events") =>
        new(_client.Object, Options.Create(new AssessmentOptions { QueueName = queue }));

    private static HttpRequest Post(byte[] body)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
        };
        context.Request.Method = "POST";
        context.Request.Path = "/api/chat/assessments/events";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body);
        context.Response.Body = new MemoryStream();
        return context.Request;
    }

    private static async Task<(int Status, JsonElement Problem)> ExecuteAsync(IActionResult result, HttpRequest request)
    {
        await result.ExecuteResultAsync(new ActionContext(request.HttpContext, new RouteData(), new ActionDescriptor()));
        var response = request.HttpContext.Response;
        response.Body.Position = 0;
        using var json = await JsonDocument.ParseAsync(response.Body);
        return (response.StatusCode, json.RootElement.Clone());
    }

    [Fact]
    public async Task A_valid_event_is_sent_to_the_configured_queue_unchanged_and_answered_202()
    {
        var body = Encoding.UTF8.GetBytes(ValidEvent);

        var result = await Inbox("career-events").Relay(Post(body), CancellationToken.None);

        Assert.Equal(StatusCodes.Status202Accepted, Assert.IsType<AcceptedResult>(result).StatusCode);
        _client.Verify(c => c.CreateSender("career-events"), Times.Once);
        var message = Assert.Single(_sent);
        Assert.Equal(body, message.Body.ToArray());
        Assert.Equal("application/json", message.ContentType);
        // The sender is disposed per request; the client (one per app) is not.
        _sender.Verify(s => s.DisposeAsync(), Times.Once);
    }

    [Theory]
    [InlineData("{ \"eventType\": \"analysis_complete\" }")]
    [InlineData("not json at all")]
    [InlineData("")]
    public async Task A_malformed_event_is_a_400_problem_and_nothing_is_sent(string json)
    {
        var request = Post(Encoding.UTF8.GetBytes(json));

        var (status, problem) = await ExecuteAsync(await Inbox().Relay(request, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.StartsWith("application/problem+json", request.HttpContext.Response.ContentType, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Empty(_sent);
        _client.Verify(c => c.CreateSender(It.IsAny<string>()), Times.Never);
    }

    [Fact]
    public async Task A_body_over_the_event_limit_is_a_413_problem_and_nothing_is_sent()
    {
        var request = Post(new byte[AssessmentEventParser.MaxEventBytes + 1]);

        var (status, _) = await ExecuteAsync(await Inbox().Relay(request, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, status);
        Assert.Empty(_sent);
    }

    [Fact]
    public async Task A_send_failure_is_a_503_problem_naming_the_queue_and_its_settings_so_the_caller_retries()
    {
        _sender.Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("namespace unreachable", ServiceBusFailureReason.ServiceCommunicationProblem));
        var request = Post(Encoding.UTF8.GetBytes(ValidEvent));

        var (status, problem) = await ExecuteAsync(await Inbox("career-events").Relay(request, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("career-events", detail, StringComparison.Ordinal);
        Assert.Contains("RagFunctions:Assessment:QueueName", detail, StringComparison.Ordinal);
        Assert.Contains("not queued", detail, StringComparison.Ordinal);
        // ServiceCommunicationProblem is transient: the problem suggests when to retry.
        Assert.True(problem.GetProperty("retryAfterSeconds").GetInt32() > 0);
    }

    [Fact]
    public async Task A_missing_queue_is_a_503_problem_without_a_retry_hint()
    {
        _sender.Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("no such entity", ServiceBusFailureReason.MessagingEntityNotFound));
        var request = Post(Encoding.UTF8.GetBytes(ValidEvent));

        var (status, problem) = await ExecuteAsync(await Inbox().Relay(request, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Contains("MessagingEntityNotFound", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.False(problem.TryGetProperty("retryAfterSeconds", out _));
    }
}
