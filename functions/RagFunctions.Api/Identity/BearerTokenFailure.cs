using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace RagFunctions.Api.Identity;

/// <summary>Why a bearer token was refused, in the words of RFC 6750 §3: what a client needs to act on (mint a new token vs
/// fix its configuration), never the token's own content.</summary>
public enum BearerTokenFailureKind
{
    /// <summary>The token was valid but its <c>exp</c> has passed (beyond the clock skew): get a new one.</summary>
    Expired,

    /// <summary>Forged, malformed, wrong key/algorithm/issuer/audience, not yet valid or missing required claims.</summary>
    Invalid,
}

/// <summary>A refused bearer token, stored on the request by the JwtBearer events and read when the 401 is written.</summary>
/// <param name="Description">Safe to show the caller: fixed text, plus the expiry instant for expired tokens.</param>
public sealed record BearerTokenFailure(BearerTokenFailureKind Kind, string Description)
{
    /// <summary>Maps the IdentityModel exception to a description without echoing attacker-chosen values
    /// (issuer/audience strings are not repeated; PII is hidden in the library's own messages anyway).</summary>
    public static BearerTokenFailure From(Exception exception) => exception switch
    {
        // Same wording as JwtBearerHandler's own challenge (aspnetcore src/Security/Authentication/JwtBearer/src/JwtBearerHandler.cs).
        SecurityTokenExpiredException e => new(BearerTokenFailureKind.Expired,
            $"The token expired at '{e.Expires.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture)}'"),
        SecurityTokenNotYetValidException e => new(BearerTokenFailureKind.Invalid,
            $"The token is not valid before '{e.NotBefore.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture)}'"),
        SecurityTokenInvalidAlgorithmException => new(BearerTokenFailureKind.Invalid, "The token's signing algorithm is not allowed (HS256 only)"),
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            new(BearerTokenFailureKind.Invalid, "The token's signature is invalid"),
        SecurityTokenInvalidIssuerException => new(BearerTokenFailureKind.Invalid, "The token's issuer is invalid"),
        SecurityTokenInvalidAudienceException => new(BearerTokenFailureKind.Invalid, "The token's audience is invalid"),
        SecurityTokenNoExpirationException => new(BearerTokenFailureKind.Invalid, "The token has no expiration time"),
        SecurityTokenInvalidLifetimeException => new(BearerTokenFailureKind.Invalid, "The token's lifetime is invalid"),
        SecurityTokenInvalidTypeException => new(BearerTokenFailureKind.Invalid, "The token's type (typ) is not JWT"),
        _ => new(BearerTokenFailureKind.Invalid, "The token is malformed or invalid"),
    };

    /// <summary>The <c>WWW-Authenticate</c> value (RFC 6750 §3): <c>Bearer</c> alone when the request carried no token,
    /// otherwise <c>error="invalid_token"</c> with the description.</summary>
    public static string Challenge(BearerTokenFailure? failure) => failure is null
        ? "Bearer"
        : $"Bearer error=\"invalid_token\", error_description=\"{failure.Description.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    /// <summary>The failure recorded for this request, if a token was sent and refused.</summary>
    public static BearerTokenFailure? Of(HttpContext context) => context?.Features.Get<BearerTokenFailure>();
}
