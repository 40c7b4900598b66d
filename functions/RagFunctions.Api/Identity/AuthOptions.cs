namespace RagFunctions.Api.Identity;

/// <summary>Bound from <c>RagFunctions:Auth</c>: how callers are identified.</summary>
public sealed class AuthOptions
{
    public const string Section = "RagFunctions:Auth";

    /// <summary>Read <c>X-MS-CLIENT-PRINCIPAL</c>. Only true behind App Service Authentication, which strips client-sent copies.</summary>
    public bool TrustEasyAuthHeader { get; set; }

    /// <summary>The app role (<c>roles</c> claim) that may upload, replace and delete documents.</summary>
    public string DocumentWriterRole { get; set; } = "documents.write";

    public JwtAuthOptions Jwt { get; set; } = new();
}

/// <summary>Bound from <c>RagFunctions:Auth:Jwt</c>: HS256 bearer tokens.</summary>
public sealed class JwtAuthOptions
{
    public string Issuer { get; set; } = "ragfunctions-local";

    public string Audience { get; set; } = "ragfunctions";

    /// <summary><c>base64:&lt;bytes&gt;</c> or text (UTF-8), at least 32 bytes. Empty: the local host generates and persists one;
    /// elsewhere bearer tokens are then refused.</summary>
    public string? SigningKey { get; set; }

    public int ClockSkewSeconds { get; set; } = 60;
}
