using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Identity;
using RagFunctions.Core.Identity;

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

    private static CallerIdentityResolver Resolver(bool trustEasyAuth) =>
        new(Options.Create(new AuthOptions { TrustEasyAuthHeader = trustEasyAuth }));

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
    public void Roles_come_from_roles_claims_and_the_role_typ_claim_type()
    {
        var identity = EasyAuthPrincipalParser.Parse(Principal(
            ("oid", "u-1"),
            ("roles", "documents.write"),
            ("http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "auditor"),
            ("roles", "documents.write")), out _);

        Assert.Equal(["documents.write", "auditor"], identity!.Roles);
        Assert.True(identity.HasRole("documents.write"));
        Assert.False(identity.HasRole("Documents.Write"));
    }

    [Fact]
    public void Easy_auth_header_is_ignored_when_not_trusted()
    {
        Assert.Null(Resolver(trustEasyAuth: false).Resolve(Request(easyAuth: EntraPrincipal)));
    }

    [Fact]
    public void Easy_auth_header_is_used_when_trusted()
    {
        var identity = Resolver(trustEasyAuth: true).Resolve(Request(easyAuth: EntraPrincipal, authorization: "Bearer x.y.z"));

        Assert.Equal("00000000-0000-0000-0000-0000000000aa", identity?.UserId);
        Assert.Equal("easyauth", identity?.Source);
    }

    [Fact]
    public void A_trusted_but_malformed_easy_auth_header_is_not_an_identity()
    {
        Assert.Null(Resolver(trustEasyAuth: true).Resolve(Request(easyAuth: "garbage")));
    }

    [Fact]
    public void A_repeated_trusted_easy_auth_header_is_not_an_identity()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[EasyAuthPrincipalParser.HeaderName] = new Microsoft.Extensions.Primitives.StringValues([EntraPrincipal, EntraPrincipal]);

        Assert.Null(Resolver(trustEasyAuth: true).Resolve(context.Request));
    }

    [Fact]
    public void Without_the_authentication_middleware_a_bearer_header_is_no_identity()
    {
        // The Functions app runs no JwtBearer middleware: bearer tokens are only for the local host.
        Assert.Null(Resolver(trustEasyAuth: true).Resolve(Request(authorization: "Bearer a.b.c")));
    }

    [Fact]
    public void Add_caller_identity_binds_options_and_the_configured_key()
    {
        var key = Encoding.UTF8.GetBytes("test-signing-key-with-at-least-32-bytes!");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RagFunctions:Auth:TrustEasyAuthHeader"] = "true",
            ["RagFunctions:Auth:Jwt:Issuer"] = "issuer-x",
            ["RagFunctions:Auth:DocumentWriterRole"] = "docs.admin",
            ["RagFunctions:Auth:Jwt:SigningKey"] = "base64:" + Convert.ToBase64String(key),
        }).Build();
        var services = new ServiceCollection();
        services.AddCallerIdentity(configuration);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AuthOptions>>().Value;
        Assert.True(options.TrustEasyAuthHeader);
        Assert.Equal("ragfunctions", options.Jwt.Audience);
        Assert.Equal("docs.admin", options.DocumentWriterRole);
        Assert.Equal(key, provider.GetRequiredService<IJwtSigningKeyProvider>().GetSigningKey());
        Assert.Equal("00000000-0000-0000-0000-0000000000aa", provider.GetRequiredService<ICallerIdentityResolver>().Resolve(Request(easyAuth: EntraPrincipal))?.UserId);
    }
}
