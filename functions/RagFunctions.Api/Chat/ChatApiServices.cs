using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Identity;
using RagFunctions.Core.Chat;
using RagFunctions.Core.History;
using RagFunctions.Core.Limits;

namespace RagFunctions.Api.Chat;

/// <summary>Everything the chat handlers need, bundled (scoped) so both hosts resolve one object and pass it in.</summary>
public sealed class ChatApiServices(
    ICallerIdentityResolver identity,
    ChatTurnPipeline pipeline,
    ConversationLoader loader,
    IConversationStore store,
    IOptions<ChatPipelineOptions> options,
    TimeProvider time,
    ILogger<ChatApiServices> logger,
    UsageLimiter limits,
    IOptions<RagFunctions.Core.Chat.Triage.TriageOptions>? triage = null)
{
    public ICallerIdentityResolver Identity { get; } = identity;
    public ChatTurnPipeline Pipeline { get; } = pipeline;
    public ConversationLoader Loader { get; } = loader;
    public IConversationStore Store { get; } = store;
    public ChatPipelineOptions Options { get; } = options.Value;
    public TimeProvider Time { get; } = time;
    public ILogger Logger { get; } = logger;
    public UsageLimiter Limits { get; } = limits;
    public RagFunctions.Core.Chat.Triage.TriageOptions Triage { get; } = triage?.Value ?? new();
}
