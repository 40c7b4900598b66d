using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Api.Identity;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Identity;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Identity;
using static RagFunctions.Local.Tests.Identity.JwtTestTokens;

namespace RagFunctions.Local.Tests.Identity;

/// <summary>
/// The hostile-token suite, run through the real path: ASP.NET Core's authentication middleware with the JwtBearer scheme
/// as <see cref="BearerTokenAuthentication"/> configures it, then <see cref="ICallerIdentityResolver"/>, then a handler that
/// answers the identity or the house 401 problem. Tokens are crafted by hand (<see cref="JwtTestTokens"/>) so they can be
/// hostile in ways no issuer would produce.
/// </summary>
public sealed class BearerTokenTests : IAsyncLifetime
{
    private WebApplication? _app;
    private HttpClient? _client;

    private sealed class FixedKey(byte[]? key) : IJwtSigningKeyProvider
    {
        public byte[]? GetSigningKey() => key;
    }

    public async Task InitializeAsync()
    {
        _app = await StartAsync(Key);
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static async Task<WebApplication> StartAsync(byte[]? key, IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddCallerIdentity(builder.Configuration);
        builder.Services.Replace(ServiceDescriptor.Singleton<IJwtSigningKeyProvider>(new FixedKey(key)));
        builder.Services.AddBearerTokenAuthentication();
        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/whoami", (HttpRequest request, ICallerIdentityResolver resolver) =>
            resolver.Resolve(request) is { } caller
                ? Results.Ok(new { caller.UserId, caller.Name, caller.GroupIds, caller.Roles, caller.Source })
                : ProblemResults.Unauthorized("A valid identity is required."));
        await app.StartAsync();
        return app;
    }

    private sealed record Outcome(HttpStatusCode Status, string? Challenge, JsonElement Body)
    {
        public string UserId => Body.GetProperty("userId").GetString()!;
    }

    private static async Task<Outcome> CallAsync(HttpClient client, string? authorization, params string[] more)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var extra in more)
        {
            request.Headers.TryAddWithoutValidation("Authorization", extra);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Outcome(response.StatusCode, response.Headers.WwwAuthenticate.ToString(), JsonDocument.Parse(text).RootElement.Clone());
    }

    private Task<Outcome> BearerAsync(string token) => CallAsync(_client!, "Bearer " + token);

    private async Task AssertRejectedAsync(string token, string? descriptionFragment = null)
    {
        var outcome = await BearerAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, outcome.Status);
        Assert.StartsWith("Bearer error=\"invalid_token\"", outcome.Challenge, StringComparison.Ordinal);
        Assert.DoesNotContain("expired", outcome.Challenge, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("application/problem+json", "application/problem+json");
        Assert.Equal("/problems/unauthorized", outcome.Body.GetProperty("type").GetString());
        if (descriptionFragment is not null)
        {
            Assert.Contains(descriptionFragment, outcome.Challenge, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task A_valid_token_yields_the_caller_with_name_groups_and_roles()
    {
        var outcome = await BearerAsync(Token(Header, Payload(extra: ",\"roles\":[\"documents.write\"]")));

        Assert.Equal(HttpStatusCode.OK, outcome.Status);
        Assert.Equal("alice", outcome.UserId);
        Assert.Equal("Alice", outcome.Body.GetProperty("name").GetString());
        Assert.Equal(["g1", "g2"], outcome.Body.GetProperty("groupIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["documents.write"], outcome.Body.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("bearer", outcome.Body.GetProperty("source").GetString());
    }

    [Fact]
    public async Task A_token_minted_by_the_token_command_round_trips_with_repeated_roles()
    {
        Assert.True(TokenCommand.TryParse(["bob", "--name", "Bob", "--groups", "team-a", "--role", "documents.write", "--role", "auditor"], out var request, out var error), error);
        var token = TokenCommand.Mint(
            new AuthOptions { Jwt = { SigningKey = "base64:" + Convert.ToBase64String(Key) } }, new LocalHostOptions(), request, TimeProvider.System);

        var outcome = await BearerAsync(token);

        Assert.Equal(HttpStatusCode.OK, outcome.Status);
        Assert.Equal("bob", outcome.UserId);
        Assert.Equal(["team-a"], outcome.Body.GetProperty("groupIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["documents.write", "auditor"], outcome.Body.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_single_string_role_or_group_counts_as_one()
    {
        var outcome = await BearerAsync(Token(Header, Payload(extra: ",\"roles\":\"documents.write\"").Replace("[\"g1\",\"g2\"]", "\"g1\"", StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.OK, outcome.Status);
        Assert.Equal(["g1"], outcome.Body.GetProperty("groupIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["documents.write"], outcome.Body.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Audience_may_be_an_array() =>
        Assert.Equal(HttpStatusCode.OK, (await BearerAsync(Token(Header, Payload(aud: "[\"other\",\"ragfunctions\"]")))).Status);

    [Fact]
    public async Task Typ_is_optional() => Assert.Equal(HttpStatusCode.OK, (await BearerAsync(Token("{\"alg\":\"HS256\"}", Payload()))).Status);

    [Theory]
    [InlineData("{\"alg\":\"none\",\"typ\":\"JWT\"}")]
    [InlineData("{\"alg\":\"None\"}")]
    [InlineData("{\"alg\":\"RS256\",\"typ\":\"JWT\"}")]
    [InlineData("{\"alg\":\"HS512\",\"typ\":\"JWT\"}")]
    [InlineData("{\"alg\":\"hs256\",\"typ\":\"JWT\"}")]
    [InlineData("{\"typ\":\"JWT\"}")]
    [InlineData("{\"alg\":[\"HS256\"]}")]
    public async Task Any_algorithm_but_hs256_is_rejected_even_when_the_hmac_is_right(string header) =>
        await AssertRejectedAsync(Token(header, Payload()));

    [Fact]
    public async Task Alg_none_with_an_empty_signature_is_rejected() =>
        await AssertRejectedAsync(B64("{\"alg\":\"none\"}") + "." + B64(Payload()) + ".");

    [Fact]
    public async Task Duplicate_alg_members_are_rejected() =>
        await AssertRejectedAsync(Token("{\"alg\":\"HS256\",\"alg\":\"none\"}", Payload()));

    [Fact]
    public async Task Crit_header_naming_an_unknown_extension_is_rejected() =>
        await AssertRejectedAsync(Token("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", Payload()));

    [Fact]
    public async Task Non_canonical_signature_encoding_is_rejected()
    {
        // A 32-byte signature is 43 base64url characters; the last one carries 2 unused bits. Setting them changes
        // the text but not the decoded bytes, which a lax decoder would accept.
        var token = Token(Header, Payload());
        var last = token[^1];
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var twin = alphabet[alphabet.IndexOf(last, StringComparison.Ordinal) | 1];
        Assert.NotEqual(last, twin);

        await AssertRejectedAsync(token[..^1] + twin);
    }

    [Fact]
    public async Task Wrong_typ_is_rejected() => await AssertRejectedAsync(Token("{\"alg\":\"HS256\",\"typ\":\"at+jwt+evil\"}", Payload()), "typ");

    [Fact]
    public async Task Tampered_payload_is_rejected()
    {
        var parts = Token(Header, Payload()).Split('.');
        var forged = B64(Payload().Replace("\"alice\"", "\"admin\"", StringComparison.Ordinal));

        await AssertRejectedAsync(parts[0] + "." + forged + "." + parts[2], "signature");
    }

    [Fact]
    public async Task Tampered_signature_is_rejected()
    {
        var token = Token(Header, Payload());
        var flipped = token[^2] == 'A' ? 'B' : 'A';

        await AssertRejectedAsync(token[..^2] + flipped + token[^1], "signature");
    }

    [Fact]
    public async Task Signature_with_another_key_is_rejected() =>
        await AssertRejectedAsync(Token(Header, Payload(), Encoding.UTF8.GetBytes("another-signing-key-also-32-bytes-long!!")), "signature");

    [Fact]
    public async Task An_expired_token_is_told_apart_from_a_forged_one()
    {
        // Within the 60 s clock skew the token still passes.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(HttpStatusCode.OK, (await BearerAsync(Token(Header, PayloadAt(now, exp: now - 20)))).Status);

        var outcome = await BearerAsync(Token(Header, PayloadAt(now, exp: now - 600)));

        Assert.Equal(HttpStatusCode.Unauthorized, outcome.Status);
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"The token expired at '", outcome.Challenge, StringComparison.Ordinal);
        Assert.Contains(DateTimeOffset.FromUnixTimeSeconds(now - 600).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), outcome.Challenge, StringComparison.Ordinal);
        Assert.Equal("The bearer token has expired.", outcome.Body.GetProperty("title").GetString());
        Assert.StartsWith("The token expired at", outcome.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_not_yet_valid_is_rejected()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await AssertRejectedAsync(Token(Header, PayloadAt(now, extra: $",\"nbf\":{now + 600}")), "not valid before");
        Assert.Equal(HttpStatusCode.OK, (await BearerAsync(Token(Header, PayloadAt(now, extra: $",\"nbf\":{now + 20}")))).Status);
    }

    [Fact]
    public async Task Missing_exp_is_rejected() =>
        await AssertRejectedAsync(Token(Header, $"{{\"sub\":\"alice\",\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\"}}"), "expiration");

    [Fact]
    public async Task Non_numeric_exp_is_rejected()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await AssertRejectedAsync(Token(Header, $"{{\"sub\":\"alice\",\"exp\":\"{now + 60}x\",\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\"}}"));
    }

    [Fact]
    public async Task Wrong_issuer_is_rejected() => await AssertRejectedAsync(Token(Header, Payload(iss: "someone-else")), "issuer");

    [Theory]
    [InlineData("\"other\"")]
    [InlineData("[\"other\"]")]
    [InlineData("[]")]
    [InlineData("42")]
    public async Task Wrong_audience_is_rejected(string aud) => await AssertRejectedAsync(Token(Header, Payload(aud: aud)));

    [Fact]
    public async Task Missing_sub_is_rejected()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await AssertRejectedAsync(Token(Header, $"{{\"exp\":{now + 60},\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\"}}"), "sub");
    }

    [Theory]
    [InlineData("\"sub\":\"alice\"", "\"sub\":[\"alice\",\"bob\"]")]
    [InlineData("[\"g1\",\"g2\"]", "[1,2]")]
    [InlineData("[\"g1\",\"g2\"]", "[\"\"]")]
    [InlineData("[\"g1\",\"g2\"]", "{\"g\":1}")]
    public async Task Claims_of_the_wrong_shape_are_rejected(string from, string to) =>
        await AssertRejectedAsync(Token(Header, Payload().Replace(from, to, StringComparison.Ordinal)));

    [Theory]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0=.c2ln")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln+/")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e.c2ln")]
    public async Task Malformed_structure_or_base64_is_rejected(string token) => await AssertRejectedAsync(token);

    [Fact]
    public async Task Malformed_json_is_rejected_even_with_a_valid_signature()
    {
        await AssertRejectedAsync(Token("{\"alg\":\"HS256\"", Payload()));
        await AssertRejectedAsync(Token(Header, "{\"sub\":\"alice\","));
        await AssertRejectedAsync(Token(Header, "[1,2,3]"));
    }

    [Fact]
    public async Task Oversized_token_is_rejected_before_decoding() =>
        await AssertRejectedAsync(Token(Header, Payload(extra: ",\"pad\":\"" + new string('x', 9000) + "\"")));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic YWxpY2U6cGFzcw==")]
    [InlineData("Bearer")]
    public async Task No_bearer_token_gets_a_plain_bearer_challenge(string? authorization)
    {
        var outcome = await CallAsync(_client!, authorization);

        Assert.Equal(HttpStatusCode.Unauthorized, outcome.Status);
        Assert.Equal("Bearer", outcome.Challenge);
        Assert.Equal("A valid identity is required.", outcome.Body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("bearer ")]
    public async Task The_scheme_name_is_case_insensitive(string scheme) =>
        Assert.Equal("alice", (await CallAsync(_client!, scheme + Token(Header, Payload()))).UserId);

    [Fact]
    public async Task Two_authorization_headers_are_not_an_identity()
    {
        var token = Token(Header, Payload());
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(_client!, "Bearer " + token, "Bearer " + token)).Status);
    }

    [Fact]
    public async Task Bearer_tokens_are_refused_when_no_key_is_configured()
    {
        await using var app = await StartAsync(key: null);
        using var client = app.GetTestClient();

        var outcome = await CallAsync(client, "Bearer " + Token(Header, Payload()));

        Assert.Equal(HttpStatusCode.Unauthorized, outcome.Status);
        Assert.Contains("signature", outcome.Challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issuer_audience_and_skew_come_from_configuration()
    {
        await using var app = await StartAsync(Key, new Dictionary<string, string?>
        {
            ["RagFunctions:Auth:Jwt:Issuer"] = "issuer-x",
            ["RagFunctions:Auth:Jwt:ClockSkewSeconds"] = "0",
        });
        using var client = app.GetTestClient();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        Assert.Equal(HttpStatusCode.OK, (await CallAsync(client, "Bearer " + Token(Header, Payload(iss: "issuer-x")))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(client, "Bearer " + Token(Header, Payload()))).Status);
        // No skew: 20 s past exp is expired.
        var expired = await CallAsync(client, "Bearer " + Token(Header, PayloadAt(now, exp: now - 20, iss: "issuer-x")));
        Assert.Contains("expired", expired.Challenge, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_shorter_than_32_bytes_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => BearerTokenAuthentication.ValidationParameters(new JwtAuthOptions(), new byte[31]));
        Assert.Throws<InvalidOperationException>(() => JwtSigningKey.Parse("short"));
        Assert.Equal(32, JwtSigningKey.Parse("base64:" + Convert.ToBase64String(new byte[32])).Length);
    }

    [Fact]
    public async Task Random_garbage_never_gets_in_and_never_errors()
    {
        var random = new Random(1);
        var valid = Token(Header, Payload());
        for (var i = 0; i < 300; i++)
        {
            var chars = valid.ToCharArray();
            var edits = random.Next(1, 4);
            for (var e = 0; e < edits; e++)
            {
                // Printable ASCII except characters an HTTP header would fold or split on.
                chars[random.Next(chars.Length)] = (char)random.Next(33, 127);
            }

            var mutated = new string(chars);
            var outcome = await BearerAsync(mutated);
            if (mutated != valid)
            {
                Assert.True(outcome.Status == HttpStatusCode.Unauthorized, mutated);
                Assert.StartsWith("Bearer error=\"invalid_token\"", outcome.Challenge, StringComparison.Ordinal);
            }
        }
    }

    private static string PayloadAt(long now, long? exp = null, string iss = Issuer, string? extra = null) =>
        $"{{\"sub\":\"alice\",\"iat\":{now - 10},\"exp\":{exp ?? now + 3600},\"iss\":\"{iss}\",\"aud\":\"{Audience}\"{extra}}}";
}
