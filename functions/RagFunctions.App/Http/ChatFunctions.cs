using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using RagFunctions.Api.Chat;
using RagFunctions.App.Hosting;

namespace RagFunctions.App.Http;

/// <summary>
/// Chat and conversation-history routes (issue 3): one HTTP function per route and method over the shared
/// <see cref="ChatEndpoints"/> handlers (identity first, then input, then work; problem+json on failure).
/// Streaming answers (<c>Accept: text/event-stream</c>, <c>/chat/stream</c> NDJSON) are IResults that write to the response
/// as the answer is generated; the ASP.NET Core integration executes them on the live HttpContext (see <see cref="ResultActions"/>).
/// </summary>
/// <remarks><see cref="ChatApiServices"/> is scoped: function classes are activated in the invocation's service scope.
/// Anonymous at the Functions level because Easy Auth fronts the app and the handlers resolve the caller themselves.</remarks>
public sealed class ChatFunctions(ChatApiServices services)
{
    private const string Conversations = "chat/conversations";
    private const string Conversation = Conversations + "/{id}";
    private const string Message = Conversation + "/messages/{messageId}";

    [Function("CreateConversation")]
    public Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Conversations)] HttpRequest request, CancellationToken cancellationToken) =>
        ChatEndpoints.CreateConversationAsync(request, services, cancellationToken).AsActionResult();

    [Function("ListConversations")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Conversations)] HttpRequest request, CancellationToken cancellationToken) =>
        ChatEndpoints.ListConversationsAsync(request, services, cancellationToken).AsActionResult();

    [Function("GetConversation")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Conversation)] HttpRequest request, string id, CancellationToken cancellationToken) =>
        ChatEndpoints.GetConversationAsync(request, id, services, cancellationToken).AsActionResult();

    [Function("UpdateConversation")]
    public Task<IActionResult> Update([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = Conversation)] HttpRequest request, string id, CancellationToken cancellationToken) =>
        ChatEndpoints.UpdateConversationAsync(request, id, services, cancellationToken).AsActionResult();

    [Function("DeleteConversation")]
    public Task<IActionResult> Delete([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Conversation)] HttpRequest request, string id, CancellationToken cancellationToken) =>
        ChatEndpoints.DeleteConversationAsync(request, id, services, cancellationToken).AsActionResult();

    [Function("ListMessages")]
    public Task<IActionResult> ListMessages([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Conversation + "/messages")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        ChatEndpoints.ListMessagesAsync(request, id, services, cancellationToken).AsActionResult();

    [Function("SendMessage")]
    public Task<IActionResult> Send([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Conversation + "/messages")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        ChatEndpoints.SendMessageAsync(request, id, services, cancellationToken).AsActionResult();

    [Function("RegenerateMessage")]
    public Task<IActionResult> Regenerate([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Message + "/regenerate")] HttpRequest request, string id, string messageId, CancellationToken cancellationToken) =>
        ChatEndpoints.RegenerateAsync(request, id, messageId, services, cancellationToken).AsActionResult();

    [Function("SubmitFeedback")]
    public Task<IActionResult> Feedback([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Message + "/feedback")] HttpRequest request, string id, string messageId, CancellationToken cancellationToken) =>
        ChatEndpoints.SubmitFeedbackAsync(request, id, messageId, services, cancellationToken).AsActionResult();

    [Function("ExportConversation")]
    public Task<IActionResult> Export([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Conversation + "/export")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        ChatEndpoints.ExportConversationAsync(request, id, services, cancellationToken).AsActionResult();

    [Function("GetConversationUsage")]
    public Task<IActionResult> ConversationUsage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Conversation + "/usage")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        ChatEndpoints.GetConversationUsageAsync(request, id, services, cancellationToken).AsActionResult();

    [Function("GetUsageSummary")]
    public Task<IActionResult> UsageSummary([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "chat/usage/summary")] HttpRequest request, CancellationToken cancellationToken) =>
        ChatEndpoints.GetUsageSummaryAsync(request, services, cancellationToken).AsActionResult();

    [Function("ListEscalations")]
    public Task<IActionResult> Escalations([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "chat/escalations")] HttpRequest request, CancellationToken cancellationToken) =>
        ChatEndpoints.ListEscalationsAsync(request, services, cancellationToken).AsActionResult();

    [Function("ChatProtocol")]
    public Task<IActionResult> Protocol([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "chat")] HttpRequest request, CancellationToken cancellationToken) =>
        ChatEndpoints.ChatProtocolAsync(request, services, cancellationToken).AsActionResult();

    [Function("ChatProtocolStream")]
    public Task<IActionResult> ProtocolStream([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "chat/stream")] HttpRequest request, CancellationToken cancellationToken) =>
        ChatEndpoints.ChatProtocolStreamAsync(request, services, cancellationToken).AsActionResult();
}
