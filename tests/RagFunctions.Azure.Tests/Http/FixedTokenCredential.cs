using Azure.Core;

namespace RagFunctions.Azure.Tests.Http;

/// <summary>A credential that hands out a fixed token and records the scopes asked for; never touches Entra ID.</summary>
public sealed class FixedTokenCredential(string token = "test-token") : TokenCredential
{
    private readonly List<string> _scopes = [];

    public IReadOnlyList<string> RequestedScopes
    {
        get
        {
            lock (_scopes)
            {
                return [.. _scopes];
            }
        }
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (_scopes)
        {
            _scopes.AddRange(requestContext.Scopes);
        }

        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
