using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using RagFunctions.Core.Common;

namespace RagFunctions.Core.Chat;

/// <summary>Why a model call failed, as a class a client can act on — <c>unreachable</c>, <c>timeout</c>, <c>401</c>, <c>403</c>,
/// <c>404</c>, <c>429</c>, <c>5xx</c>, other <c>4xx</c>, or <c>error</c> — with a short reason that never carries the exception
/// message (it can hold URLs with keys or upstream bodies).</summary>
public sealed record ModelFailureCause(string Class, string Reason)
{
    public override string ToString() => $"{Class}: {Reason}";

    public static ModelFailureCause Timeout(TimeSpan limit) => new("timeout", $"no answer within {limit.TotalSeconds:0} s");

    public static ModelFailureCause Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case RateLimitedProblemException:
                    return FromStatus(429);
                case HttpRequestException { StatusCode: { } status }:
                    return FromStatus((int)status);
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError } http:
                    return new("unreachable", Describe(http.HttpRequestError));
                case SocketException socket:
                    return new("unreachable", Words(socket.SocketErrorCode.ToString()));
                case TimeoutException:
                    return new("timeout", "the call timed out");
            }

            // The OpenAI SDK throws System.ClientModel.ClientResultException, which carries the HTTP status as `int Status`;
            // Core does not reference that package, so the status is read by name.
            if (e.GetType().GetProperty("Status")?.GetValue(e) is int code and >= 100 and < 600)
            {
                return FromStatus(code);
            }
        }

        return new("error", exception.GetType().Name);
    }

    public static ModelFailureCause FromStatus(int status) => status switch
    {
        401 => new("401", "the model endpoint rejected the credentials"),
        403 => new("403", "the identity may not use this model"),
        404 => new("404", "no such model or deployment"),
        408 => new("timeout", "the model endpoint timed out"),
        429 => new("429", "rate limited or out of quota"),
        >= 500 => new("5xx", $"the model endpoint answered {status}"),
        _ => new($"{status}", $"the model endpoint refused the request ({status})"),
    };

    private static string Describe(HttpRequestError error) => error switch
    {
        HttpRequestError.NameResolutionError => "host name not found",
        HttpRequestError.SecureConnectionError => "TLS handshake failed",
        _ => "connection refused or reset",
    };

    private static string Words(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
