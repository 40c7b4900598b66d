namespace RagFunctions.Api.Cors;

/// <summary>Bound from <c>RagFunctions:Cors</c>: which browser origins may call the API.</summary>
public sealed class CorsSettings
{
    public const string Section = "RagFunctions:Cors";

    /// <summary>Comma-separated origins such as <c>https://app.example.com,http://localhost:5173</c> (one value, so one environment
    /// variable or azd value carries the list); <c>*</c> allows any origin. Empty (the default) sends no CORS headers: only
    /// same-origin pages can read the responses.</summary>
    public string AllowedOrigins { get; set; } = "";

    /// <summary>The configured origins, split, trimmed, without a trailing slash (browsers send none), de-duplicated.</summary>
    public IReadOnlyList<string> NormalizedOrigins() =>
        [.. AllowedOrigins
            .Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(o => o.TrimEnd('/'))
            .Distinct(StringComparer.OrdinalIgnoreCase)];
}
