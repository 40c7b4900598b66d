using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using RagFunctions.Core.History;

namespace RagFunctions.Core.Assessment;

/// <summary>One model of the chat fallback chain as the welcome writer sees it.</summary>
/// <param name="Name">Deployment or model name, recorded as the welcome's <see cref="MessageMetadata.Model"/>.</param>
/// <param name="Timeout">Per-call limit; null means no limit beyond the caller's token.</param>
public sealed record AssessmentChatModel(string Name, IChatClient Client, TimeSpan? Timeout = null);

/// <summary>Supplies the models to try, in order; an empty list means "no model configured" (template welcome).
/// Kept as a delegate so hosts can adapt <c>IChatClientFactory</c> (Core/Chat) without Assessment depending on how the chain is built.</summary>
public delegate IReadOnlyList<AssessmentChatModel> AssessmentChatModels();

/// <summary>A welcome ready to store.</summary>
public sealed record WelcomeDraft(string Content, string Model, IReadOnlyList<string> Questions, TokenUsage? Usage, double LatencyMs);

/// <summary>Writes the welcome message: the configured models in order, then the deterministic template, so a conversation is never left without one.</summary>
public sealed class AssessmentWelcomeWriter(AssessmentChatModels models, TimeProvider clock, ILogger<AssessmentWelcomeWriter> logger)
{
    /// <summary><see cref="MessageMetadata.Model"/> of a template welcome.</summary>
    public const string TemplateModel = "template";

    private const int MaxWelcomeCharacters = 4000;

    public async Task<WelcomeDraft> WriteAsync(AssessmentProfile profile, CancellationToken cancellationToken)
    {
        var (system, user) = profile.WelcomePrompt();
        foreach (var model in models())
        {
            var started = clock.GetTimestamp();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (model.Timeout is { } limit)
                {
                    timeout.CancelAfter(limit);
                }

                var response = await model.Client.GetResponseAsync(
                    [new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, user)],
                    new ChatOptions { Temperature = 0.4f, MaxOutputTokens = 400 },
                    timeout.Token).ConfigureAwait(false);
                var text = response.Text?.Trim();
                if (string.IsNullOrEmpty(text))
                {
                    logger.LogWarning("Model {Model} returned an empty assessment welcome; trying the next option", model.Name);
                    continue;
                }

                var usage = response.Usage is { } u ? new TokenUsage((int)(u.InputTokenCount ?? 0), (int)(u.OutputTokenCount ?? 0)) : null;
                return new WelcomeDraft(
                    text.Length > MaxWelcomeCharacters ? text[..MaxWelcomeCharacters] : text,
                    model.Name,
                    profile.WelcomeQuestions,
                    usage,
                    clock.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // A failed or slow model must not block the conversation: fall through to the next model, then the template.
                logger.LogWarning(ex, "Model {Model} failed to write the assessment welcome; trying the next option", model.Name);
            }
        }

        return new WelcomeDraft(profile.TemplateWelcome(), TemplateModel, profile.WelcomeQuestions, null, 0);
    }
}
