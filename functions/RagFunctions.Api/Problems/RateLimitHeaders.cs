using System.Globalization;
using System.Text;
using RagFunctions.Core.Common;
using RagFunctions.Core.Limits;

namespace RagFunctions.Api.Problems;

/// <summary>Response headers for throttled and limited calls.</summary>
/// <remarks>
/// <c>RateLimit-Policy</c> and <c>RateLimit</c> follow draft-ietf-httpapi-ratelimit-headers-10 (IETF HTTPAPI WG, September 2025;
/// https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/): both are Structured Field Lists (RFC 9651) of quota-policy
/// items, each a String naming the policy with parameters. <c>RateLimit-Policy</c> items carry <c>q</c> (quota) and <c>w</c> (window,
/// seconds) and, when the unit is not requests, <c>qu</c> (quota unit; "tokens" is our own unit — the draft's registry has
/// "requests", "content-bytes" and "concurrent-requests"). <c>RateLimit</c> items carry <c>r</c> (remaining quota units) and
/// <c>t</c> (seconds until the quota resets). Example:
/// <code>
/// RateLimit-Policy: "messages-per-hour";q=60;w=3600, "conversations-per-day";q=50;w=86400, "tokens-per-day";q=200000;w=86400;qu="tokens"
/// RateLimit: "messages-per-hour";r=0;t=1740
/// Retry-After: 1740
/// </code>
/// Our windows slide, so <c>t</c> is when the exhausted policy has room again.
/// </remarks>
public static class RateLimitHeaders
{
    public const string Policy = "RateLimit-Policy";
    public const string Current = "RateLimit";
    public const string RetryAfter = "Retry-After";

    /// <summary>The headers for <paramref name="exception"/>: empty unless it is a usage limit or carries a retry hint.</summary>
    public static IReadOnlyDictionary<string, string> For(Exception exception)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        switch (exception)
        {
            case UsageLimitExceededProblemException limit:
                headers[RetryAfter] = limit.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                headers[Policy] = PolicyValue(limit.Policies);
                headers[Current] = string.Create(CultureInfo.InvariantCulture,
                    $"\"{limit.Exceeded.Policy.Name}\";r={limit.Exceeded.Remaining};t={limit.RetryAfterSeconds}");
                break;
            case RateLimitedProblemException { RetryAfter: { } r }:
                headers[RetryAfter] = Seconds(r);
                break;
            case UpstreamUnavailableProblemException { RetryAfter: { } u }:
                headers[RetryAfter] = Seconds(u);
                break;
        }

        return headers;
    }

    /// <summary>The <c>RateLimit-Policy</c> value listing <paramref name="policies"/>.</summary>
    public static string PolicyValue(IEnumerable<UsageLimitPolicy> policies)
    {
        var value = new StringBuilder();
        foreach (var p in policies)
        {
            if (value.Length > 0)
            {
                value.Append(", ");
            }

            value.Append(CultureInfo.InvariantCulture, $"\"{p.Name}\";q={p.Quota};w={(long)p.Window.TotalSeconds}");
            if (p.Kind == UsageKind.Tokens)
            {
                value.Append(";qu=\"tokens\"");
            }
        }

        return value.ToString();
    }

    private static string Seconds(TimeSpan value) => Math.Max(0, (int)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
