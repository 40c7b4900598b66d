using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using RagFunctions.Api.Assessment;
using RagFunctions.App.Hosting;

namespace RagFunctions.App.Http;

/// <summary>Assessment routes (issue 4): one HTTP function per route over the shared <see cref="AssessmentApi"/> handlers,
/// which resolve the caller themselves (401 without one) and only read the caller's own partition.</summary>
/// <remarks><see cref="AssessmentApiServices"/> is the handlers' <c>[AsParameters]</c> bundle; the app registers it (scoped)
/// so the function receives it by constructor. Anonymous at the Functions level: Easy Auth fronts the app.</remarks>
public sealed class AssessmentFunctions(AssessmentApiServices services)
{
    [Function("GetAssessmentConversation")]
    public Task<IActionResult> GetConversation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "chat/assessment/{assessmentId}/conversation")] HttpRequest request,
        string assessmentId,
        CancellationToken cancellationToken) =>
        AssessmentApi.GetAssessmentConversation(assessmentId, request, services, cancellationToken).AsActionResult();

    [Function("InitializeAssessment")]
    public Task<IActionResult> Initialize(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "chat/assessment/{assessmentId}/initialize")] HttpRequest request,
        string assessmentId,
        CancellationToken cancellationToken) =>
        AssessmentApi.InitializeAssessment(assessmentId, request, services, cancellationToken).AsActionResult();

    [Function("GetConversationSuggestions")]
    public Task<IActionResult> Suggestions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "chat/conversations/{id}/suggestions")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        AssessmentApi.GetSuggestions(id, request, services, cancellationToken).AsActionResult();

    [Function("CreateConversationFromAssessment")]
    public Task<IActionResult> FromAssessment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "chat/conversations/from-assessment")] HttpRequest request,
        CancellationToken cancellationToken) =>
        AssessmentApi.CreateFromAssessment(request, services, cancellationToken).AsActionResult();

    [Function("GetAssessmentReady")]
    public Task<IActionResult> Ready(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "chat/assessment-ready")] HttpRequest request,
        CancellationToken cancellationToken) =>
        AssessmentApi.GetAssessmentReady(request, services, cancellationToken).AsActionResult();

    [Function("GetNotifications")]
    public Task<IActionResult> Notifications(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "chat/notifications")] HttpRequest request,
        CancellationToken cancellationToken) =>
        AssessmentApi.GetNotifications(request, services, cancellationToken).AsActionResult();
}
