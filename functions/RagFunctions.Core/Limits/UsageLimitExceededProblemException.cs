using RagFunctions.Core.Common;

namespace RagFunctions.Core.Limits;

/// <summary>The caller used up an allowance (429). Carries the exhausted allowance and every configured policy so the Api can write
/// <c>Retry-After</c>, <c>RateLimit-Policy</c> and <c>RateLimit</c>.</summary>
public sealed class UsageLimitExceededProblemException(UsageAllowance exceeded, IReadOnlyList<UsageLimitPolicy> policies)
    : ProblemException(Describe(exceeded))
{
    public UsageAllowance Exceeded { get; } = exceeded;

    public IReadOnlyList<UsageLimitPolicy> Policies { get; } = policies;

    /// <summary>Whole seconds until a retry can succeed (at least 1).</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(Exceeded.ResetAfter.TotalSeconds));

    public override string ProblemSlug => "usage-limit";
    public override int StatusCode => 429;
    public override string Title => "A usage limit was reached.";

    private static string Describe(UsageAllowance a)
    {
        var unit = a.Policy.Kind switch
        {
            UsageKind.Message => "messages",
            UsageKind.Conversation => "new conversations",
            _ => "model tokens",
        };
        var window = a.Policy.Window == TimeSpan.FromHours(1) ? "hour" : a.Policy.Window == TimeSpan.FromDays(1) ? "24 hours" : $"{a.Policy.Window.TotalSeconds:0} s";
        return $"You have used {a.Used} of {a.Policy.Quota} {unit} allowed per {window} ({a.Policy.Setting}). "
            + $"Try again in {Math.Max(1, (int)Math.Ceiling(a.ResetAfter.TotalSeconds))} s.";
    }
}
