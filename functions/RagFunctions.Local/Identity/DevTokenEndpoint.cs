using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Identity;
using RagFunctions.Api.OpenApi;
using RagFunctions.Api.Problems;
using RagFunctions.Local.Hosting;

namespace RagFunctions.Local.Identity;

/// <summary><c>POST /api/dev/token {user}</c>: a development bearer token for the chat page's user picker, the same token
/// <c>RagFunctions.Local token &lt;user&gt;</c> prints. Mapped only in the Development environment (<c>dotnet run</c> uses
/// Properties/launchSettings.json, which sets it): anyone who can reach this route can act as any user, with the document writer role.</summary>
public static partial class DevTokenEndpoint
{
    public const string Route = "/api/dev/token";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    public sealed record DevTokenRequest(string? User = null);

    public sealed record DevTokenResponse(string Token, string User, DateTimeOffset ExpiresAt);

    public static WebApplication MapDevToken(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.MapPost(Route, Mint).WithTags("Development").WithName("MintDevelopmentToken")
                .WithSummary("Development only: a bearer token for any user id (the chat page's user picker).")
                .Problems(400);
        }

        return app;
    }

    public static Results<Ok<DevTokenResponse>, ProblemHttpResult> Mint(
        DevTokenRequest body,
        [FromServices] IOptions<AuthOptions> auth,
        [FromServices] IOptions<LocalHostOptions> host,
        [FromServices] TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(body);
        var user = body.User?.Trim() ?? "";
        if (!UserId().IsMatch(user))
        {
            return ProblemResults.Validation("user", "user must be 1 to 64 letters, digits or . _ @ - characters.");
        }

        // The page uploads documents, so its users get the writer role (this route exists only in Development).
        var request = new TokenCommand.TokenRequest(user, user, [], Lifetime) { Roles = [auth.Value.DocumentWriterRole] };
        var token = TokenCommand.Mint(auth.Value, host.Value, request, clock);
        return TypedResults.Ok(new DevTokenResponse(token, user, clock.GetUtcNow() + Lifetime));
    }

    [GeneratedRegex(@"^[A-Za-z0-9._@\-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserId();
}
