using System.Buffers.Text;
using System.Text;
using RagFunctions.Core.Identity;
using static RagFunctions.Core.Tests.Identity.JwtTestTokens;

namespace RagFunctions.Core.Tests.Identity;

public sealed class Hs256JwtValidatorTests
{
    private readonly ManualTimeProvider _time = new(Now);

    private Hs256JwtValidator Validator() => new(new JwtValidationParameters(Issuer, Audience, Key), _time);

    private void AssertRejected(string? token, string reasonFragment)
    {
        var result = Validator().Validate(token);
        Assert.False(result.IsValid);
        Assert.Null(result.Identity);
        Assert.Contains(reasonFragment, result.FailureReason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_valid_token_yields_the_caller()
    {
        var result = Validator().Validate(Token(Header, Payload()));

        Assert.True(result.IsValid, result.FailureReason);
        Assert.Equal("alice", result.Identity!.UserId);
        Assert.Equal("Alice", result.Identity.Name);
        Assert.Equal(["g1", "g2"], result.Identity.GroupIds);
        Assert.Equal("bearer", result.Identity.Source);
    }

    [Fact]
    public void A_token_from_the_issuer_round_trips()
    {
        var token = new Hs256JwtIssuer(Issuer, Audience, Key, _time).Issue("bob", TimeSpan.FromHours(1), "Bob", ["team-a"]);

        var identity = Validator().Validate(token).Identity;

        Assert.Equal(new CallerIdentity("bob", "Bob", ["team-a"], "bearer").UserId, identity?.UserId);
        Assert.Equal(["team-a"], identity!.GroupIds);
    }

    [Fact]
    public void Audience_may_be_an_array()
    {
        Assert.True(Validator().Validate(Token(Header, Payload(aud: "[\"other\",\"ragfunctions\"]"))).IsValid);
    }

    [Fact]
    public void Typ_is_optional() => Assert.True(Validator().Validate(Token("{\"alg\":\"HS256\"}", Payload())).IsValid);

    [Theory]
    [InlineData("{\"alg\":\"none\",\"typ\":\"JWT\"}")]
    [InlineData("{\"alg\":\"None\"}")]
    [InlineData("{\"alg\":\"RS256\",\"typ\":\"JWT\"}")]
    [InlineData("{\"alg\":\"HS512\",\"typ\":\"JWT\"}")]
    [InlineData("{\"alg\":\"hs256\",\"typ\":\"JWT\"}")]
    [InlineData("{\"typ\":\"JWT\"}")]
    [InlineData("{\"alg\":[\"HS256\"]}")]
    public void Any_algorithm_but_hs256_is_rejected_even_when_the_hmac_is_right(string header)
    {
        AssertRejected(Token(header, Payload()), "alg");
    }

    [Fact]
    public void Alg_none_with_an_empty_signature_is_rejected()
    {
        AssertRejected(B64("{\"alg\":\"none\"}") + "." + B64(Payload()) + ".", "three");
    }

    [Fact]
    public void Duplicate_alg_members_are_rejected()
    {
        AssertRejected(Token("{\"alg\":\"HS256\",\"alg\":\"none\"}", Payload()), "unique");
    }

    [Fact]
    public void Crit_header_is_rejected() => AssertRejected(Token("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", Payload()), "crit");

    [Fact]
    public void Wrong_typ_is_rejected() => AssertRejected(Token("{\"alg\":\"HS256\",\"typ\":\"at+jwt+evil\"}", Payload()), "typ");

    [Fact]
    public void Tampered_payload_is_rejected()
    {
        var token = Token(Header, Payload());
        var parts = token.Split('.');
        var forged = B64(Payload().Replace("\"alice\"", "\"admin\"", StringComparison.Ordinal));

        AssertRejected(parts[0] + "." + forged + "." + parts[2], "signature");
    }

    [Fact]
    public void Tampered_signature_is_rejected()
    {
        var token = Token(Header, Payload());
        var flipped = token[^2] == 'A' ? 'B' : 'A';

        AssertRejected(token[..^2] + flipped + token[^1], "signature");
    }

    [Fact]
    public void Non_canonical_signature_encoding_is_rejected()
    {
        // A 32-byte signature is 43 base64url characters; the last one carries 2 unused bits. Setting them changes
        // the text but not the decoded bytes, which a lax decoder would accept.
        var token = Token(Header, Payload());
        var last = token[^1];
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var twin = alphabet[alphabet.IndexOf(last, StringComparison.Ordinal) | 1];
        Assert.NotEqual(last, twin);

        AssertRejected(token[..^1] + twin, "base64");
    }

    [Fact]
    public void Signature_with_another_key_is_rejected()
    {
        AssertRejected(Token(Header, Payload(), Encoding.UTF8.GetBytes("another-signing-key-also-32-bytes-long!!")), "signature");
    }

    [Fact]
    public void Expired_token_is_rejected_after_the_clock_skew()
    {
        var token = Token(Header, Payload(exp: NowSeconds - 30));
        Assert.True(Validator().Validate(token).IsValid);

        _time.Advance(TimeSpan.FromSeconds(31));
        AssertRejected(token, "expired");
    }

    [Fact]
    public void Token_not_yet_valid_is_rejected()
    {
        AssertRejected(Token(Header, Payload(extra: $",\"nbf\":{NowSeconds + 600}")), "not valid yet");
        Assert.True(Validator().Validate(Token(Header, Payload(extra: $",\"nbf\":{NowSeconds + 30}"))).IsValid);
    }

    [Fact]
    public void Token_issued_in_the_future_is_rejected()
    {
        var payload = Payload().Replace($"\"iat\":{NowSeconds - 10}", $"\"iat\":{NowSeconds + 3000}", StringComparison.Ordinal);
        AssertRejected(Token(Header, payload), "future");
    }

    [Fact]
    public void Missing_exp_is_rejected()
    {
        AssertRejected(Token(Header, $"{{\"sub\":\"alice\",\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\"}}"), "exp");
    }

    [Fact]
    public void Non_numeric_exp_is_rejected()
    {
        AssertRejected(Token(Header, $"{{\"sub\":\"alice\",\"exp\":\"{NowSeconds + 60}\",\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\"}}"), "exp");
    }

    [Fact]
    public void Wrong_issuer_is_rejected() => AssertRejected(Token(Header, Payload(iss: "someone-else")), "issuer");

    [Theory]
    [InlineData("\"other\"")]
    [InlineData("[\"other\"]")]
    [InlineData("[]")]
    [InlineData("42")]
    public void Wrong_audience_is_rejected(string aud) => AssertRejected(Token(Header, Payload(aud: aud)), "audience");

    [Fact]
    public void Missing_sub_is_rejected()
    {
        AssertRejected(Token(Header, $"{{\"exp\":{NowSeconds + 60},\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\"}}"), "sub");
    }

    [Fact]
    public void Groups_must_be_strings() => AssertRejected(Token(Header, Payload().Replace("[\"g1\",\"g2\"]", "[1,2]", StringComparison.Ordinal)), "groups");

    [Theory]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0=.c2ln")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln+/")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e.c2ln")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9 .eyJzdWIiOiJhIn0.c2ln")]
    public void Malformed_structure_or_base64_is_rejected(string token)
    {
        var result = Validator().Validate(token);
        Assert.False(result.IsValid);
        Assert.NotNull(result.FailureReason);
    }

    [Fact]
    public void Malformed_json_header_is_rejected()
    {
        AssertRejected(Token("{\"alg\":\"HS256\"", Payload()), "JSON");
    }

    [Fact]
    public void Malformed_json_payload_is_rejected_even_with_a_valid_signature()
    {
        AssertRejected(Token(Header, "{\"sub\":\"alice\","), "JSON");
        AssertRejected(Token(Header, "[1,2,3]"), "object");
    }

    [Fact]
    public void Oversized_token_is_rejected_before_decoding()
    {
        var token = Token(Header, Payload(extra: ",\"pad\":\"" + new string('x', 9000) + "\""));
        AssertRejected(token, "too long");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Empty_token_is_rejected(string? token) => AssertRejected(token, "empty");

    [Fact]
    public void Keys_shorter_than_32_bytes_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new Hs256JwtValidator(new JwtValidationParameters(Issuer, Audience, new byte[31]), _time));
        Assert.Throws<InvalidOperationException>(() => new Hs256JwtIssuer(Issuer, Audience, new byte[16], _time));
        Assert.Throws<InvalidOperationException>(() => JwtSigningKey.Parse("short"));
        Assert.Equal(32, JwtSigningKey.Parse("base64:" + Convert.ToBase64String(new byte[32])).Length);
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(1);
        var validator = Validator();
        var valid = Token(Header, Payload());
        for (var i = 0; i < 2000; i++)
        {
            var chars = valid.ToCharArray();
            var edits = random.Next(1, 4);
            for (var e = 0; e < edits; e++)
            {
                chars[random.Next(chars.Length)] = (char)random.Next(32, 127);
            }

            var result = validator.Validate(new string(chars));
            if (new string(chars) != valid)
            {
                Assert.False(result.IsValid, new string(chars));
            }
        }
    }

    [Fact]
    public void Payload_decoding_is_strict_base64url()
    {
        Assert.True(Hs256JwtValidator.TryDecode(Base64Url.EncodeToString(Encoding.UTF8.GetBytes("ab")), out var bytes));
        Assert.Equal("ab", Encoding.UTF8.GetString(bytes));
        Assert.False(Hs256JwtValidator.TryDecode("YWI=", out _));
        Assert.False(Hs256JwtValidator.TryDecode("YW+/", out _));
        Assert.False(Hs256JwtValidator.TryDecode("Y", out _));
    }
}
