namespace RagFunctions.Core.Assessment;

/// <summary>An <c>analysis_complete</c> event from the assessment service, already validated and normalised.</summary>
public sealed record AssessmentEvent(
    string EventType,
    string EventId,
    string UserId,
    string AssessmentId,
    DateTimeOffset CompletedAt,
    AssessmentResults Results)
{
    public const string AnalysisComplete = "analysis_complete";
}

/// <summary>Validated scores (0–100). RIASEC keyed by letter (R I A S E C), Big Five by letter (O C E A N),
/// VIA-IS by canonical snake_case strength name (any subset of <see cref="ViaStrengths.All"/>).</summary>
public sealed record AssessmentResults(
    IReadOnlyDictionary<string, double> Riasec,
    IReadOnlyDictionary<string, double> Ocean,
    IReadOnlyDictionary<string, double> ViaIs,
    PersonaProfile? PersonaProfile);

/// <summary>The publisher's own narrative of the profile; every part optional.</summary>
public sealed record PersonaProfile(string? Title, string? Summary, IReadOnlyList<string> CareerRecommendations);
