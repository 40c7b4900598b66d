using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Identity;
using RagFunctions.Core.Identity;
using static RagFunctions.Core.Tests.Identity.JwtTestTokens;

namespace RagFunctions.Core.Tests.Identity;

public sealed class EasyAuthAndResolverTests
{
    private static string Principal(params (string Typ, string Val)[] claims)
    {
        var json = "{\"auth_typ\":\"aad\",\"claims\":[" +
            string.Join(',', claims.Select(c => $"{{\"typ\":\"{c.Typ}\",\"val\":\"{c.Val}\"}}")) +
            "],\"name_typ\":\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\",\"role_typ\":\"http://schemas.microsoft.com/ws/2008/06/identity/claims/role\"}";
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    private static readonly string EntraPrincipal = Principal(
        (EasyAuthPrincipalParser.ObjectIdClaimType, "00000000-0000-0000-0000-0000000000aa"),
        ("name", "Ayu Lestari"),
        ("groups", "group-1"),
        ("groups", "group-2"),
        ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "ayu@example.com"));

    [Fact]
    public void Parses_the_mapped_object_id_claim_name_and_groups()
    {
        var identity = EasyAuthPrincipalParser.Parse(EntraPrincipal, out var reason);

        Assert.Null(reason);
        Assert.Equal("00000000-0000-0000-0000-0000000000aa", identity!.UserId);
        Assert.Equal("Ayu Lestari", identity.Name);
        Assert.Equal(["group-1", "group-2"], identity.GroupIds);
        Assert.Equal("easyauth", identity.Source);
    }

    [Fact]
    public void Accepts_the_short_oid_claim_type_and_falls_back_to_name_typ_for_the_name()
    {
        var identity = EasyAuthPrincipalParser.Parse(
            Principal(("oid", "u-1"), ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "u1@example.com")), out _);

        Assert.Equal("u-1", identity!.UserId);
        Assert.Equal("u1@example.com", identity.Name);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("%%%not-base64%%%", "base64")]
    [InlineData("bm90IGpzb24=", "JSON")]
    [InlineData("eyJhdXRoX3R5cCI6ImFhZCJ9", "claims")]
    public void Rejects_malformed_headers(string? header, string reason)
    {
        Assert.Null(EasyAuthPrincipalParser.Parse(header, out var failure));
        Assert.Contains(reason, failure, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Rejects_a_principal_without_an_object_id()
    {
        Assert.Null(EasyAuthPrincipalParser.Parse(Principal(("name", "Nobody"), ("sub", "abc")), out var failure));
        Assert.Contains("oid", failure, StringComparison.Ordinal);
    }

    private sealed class FixedKey(byte[]? key) : IJwtSigningKeyProvider
    {
        public byte[]? GetSigningKey() => key;
    }

    private static CallerIdentityResolver Resolver(bool trustEasyAuth, byte[]? key = null) =>
        new(Options.Create(new AuthOptions { TrustEasyAuthHeader = trustEasyAuth }), new FixedKey(key ?? Key), new ManualTimeProvider(Now));

    private static HttpRequest Request(string? easyAuth = null, string? authorization = null)
    {
        var context = new DefaultHttpContext();
        if (easyAuth is not null)
        {
            context.Request.Headers[EasyAuthPrincipalParser.HeaderName] = easyAuth;
        }

        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context.Request;
    }

    [Fact]
    public void Easy_auth_header_is_ignored_when_not_trusted()
    {
        Assert.Null(Resolver(trustEasyAuth: false).Resolve(Request(easyAuth: EntraPrincipal)));
    }

    [Fact]
    public void Untrusted_easy_auth_header_does_not_override_a_bearer_token()
    {
        var identity = Resolver(trustEasyAuth: false).Resolve(Request(easyAuth: EntraPrincipal, authorization: "Bearer " + Token(Header, Payload())));

        Assert.Equal("alice", identity?.UserId);
        Assert.Equal("bearer", identity?.Source);
    }

    [Fact]
    public void Easy_auth_header_is_used_when_trusted()
    {
        var identity = Resolver(trustEasyAuth: true).Resolve(Request(easyAuth: EntraPrincipal, authorization: "Bearer " + Token(Header, Payload())));

        Assert.Equal("00000000-0000-0000-0000-0000000000aa", identity?.UserId);
        Assert.Equal("easyauth", identity?.Source);
    }

    [Fact]
    public void A_trusted_but_malformed_easy_auth_header_is_not_an_identity()
    {
        Assert.Null(Resolver(trustEasyAuth: true).Resolve(Request(easyAuth: "garbage", authorization: "Bearer " + Token(Header, Payload()))));
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("bearer ")]
    public void A_valid_bearer_token_is_accepted_with_any_scheme_case(string scheme)
    {
        Assert.Equal("alice", Resolver(false).Resolve(Request(authorization: scheme + Token(Header, Payload())))?.UserId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic YWxpY2U6cGFzcw==")]
    [InlineData("Bearer")]
    [InlineData("Bearer not.a.token")]
    public void Missing_or_invalid_authorization_is_no_identity(string? authorization)
    {
        Assert.Null(Resolver(false).Resolve(Request(authorization: authorization)));
    }

    [Fact]
    public void Bearer_tokens_are_refused_when_no_key_is_configured()
    {
        var resolver = new CallerIdentityResolver(Options.Create(new AuthOptions()), new FixedKey(null), new ManualTimeProvider(Now));

        Assert.Null(resolver.Resolve(Request(authorization: "Bearer " + Token(Header, Payload()))));
    }

    [Fact]
    public void Add_caller_identity_binds_options_and_the_configured_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RagFunctions:Auth:TrustEasyAuthHeader"] = "true",
            ["RagFunctions:Auth:Jwt:Issuer"] = "issuer-x",
            ["RagFunctions:Auth:Jwt:SigningKey"] = "base64:" + Convert.ToBase64String(Key),
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new ManualTimeProvider(Now));
        services.AddCallerIdentity(configuration);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AuthOptions>>().Value;
        Assert.True(options.TrustEasyAuthHeader);
        Assert.Equal("ragfunctions", options.Jwt.Audience);
        Assert.Equal(Key, provider.GetRequiredService<IJwtSigningKeyProvider>().GetSigningKey());

        var resolver = provider.GetRequiredService<ICallerIdentityResolver>();
        Assert.Equal("alice", resolver.Resolve(Request(authorization: "Bearer " + Token(Header, Payload(iss: "issuer-x"))))?.UserId);
        Assert.Null(resolver.Resolve(Request(authorization: "Bearer " + Token(Header, Payload()))));
    }
}
