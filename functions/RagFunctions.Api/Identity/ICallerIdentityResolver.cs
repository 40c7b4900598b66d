using Microsoft.AspNetCore.Http;
using RagFunctions.Core.Identity;

namespace RagFunctions.Api.Identity;

/// <summary>Establishes who is calling from the request (Easy Auth header when configured, else a bearer token).
/// Returns null when the request carries no valid identity; handlers answer 401 problem+json then.</summary>
public interface ICallerIdentityResolver
{
    CallerIdentity? Resolve(HttpRequest request);
}
