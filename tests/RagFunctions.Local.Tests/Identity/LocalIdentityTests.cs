using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Identity;
using RagFunctions.Core.Identity;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Identity;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Identity;

public sealed class LocalIdentityTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ragfunctions-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private DevSigningKeyProvider Provider(string? configuredKey = null) => new(
        Options.Create(new AuthOptions { Jwt = { SigningKey = configuredKey } }),
        Options.Create(new LocalHostOptions { DataDirectory = _dataDirectory }));

    [Fact]
    public void Generates_a_256_bit_key_once_and_reuses_it()
    {
        var first = Provider().GetSigningKey();
        var second = Provider().GetSigningKey();

        Assert.Equal(32, first!.Length);
        Assert.Equal(first, second);
        var path = Path.Combine(_dataDirectory, DevSigningKeyProvider.FileName);
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void A_configured_key_wins_and_no_file_is_written()
    {
        var key = Provider("a-configured-signing-key-that-is-long-enough").GetSigningKey();

        Assert.Equal("a-configured-signing-key-that-is-long-enough"u8.ToArray(), key);
        Assert.False(File.Exists(Path.Combine(_dataDirectory, DevSigningKeyProvider.FileName)));
    }

    [Fact]
    public void Short_keys_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => Provider("too-short").GetSigningKey());

        Directory.CreateDirectory(_dataDirectory);
        File.WriteAllText(Path.Combine(_dataDirectory, DevSigningKeyProvider.FileName), Convert.ToBase64String(new byte[16]));
        Assert.Throws<InvalidOperationException>(() => Provider().GetSigningKey());
    }

    [Theory]
    [InlineData(new[] { "alice" }, "alice", null, "", 8.0)]
    [InlineData(new[] { "bob", "--name", "Bob B", "--groups", "g1, g2", "--hours", "0.5" }, "bob", "Bob B", "g1|g2", 0.5)]
    [InlineData(new[] { "carol", "--role", "documents.write", "--role", "auditor,documents.write" }, "carol", null, "", 8.0)]
    public void Token_arguments_are_parsed(string[] args, string subject, string? name, string groups, double hours)
    {
        Assert.True(TokenCommand.TryParse(args, out var request, out var error), error);
        Assert.Equal(subject, request.Subject);
        Assert.Equal(name, request.Name);
        Assert.Equal(groups, string.Join('|', request.Groups));
        Assert.Equal(TimeSpan.FromHours(hours), request.Lifetime);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--name|x")]
    [InlineData("alice|--hours|-1")]
    [InlineData("alice|--bogus|1")]
    [InlineData("alice|--name")]
    public void Bad_token_arguments_are_refused(string joined)
    {
        var args = joined.Split('|', StringSplitOptions.RemoveEmptyEntries);
        Assert.False(TokenCommand.TryParse(args, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Non_token_arguments_leave_the_host_to_start()
    {
        Assert.False(TokenCommand.TryRun(["--urls", "http://localhost:5000"], out _));
    }

    [Fact]
    public async Task A_minted_token_is_accepted_by_the_running_host_and_an_expired_one_is_told_so()
    {
        using var factory = new LocalHostFactory(dataDirectory: _dataDirectory);
        var auth = factory.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var host = factory.Services.GetRequiredService<IOptions<LocalHostOptions>>().Value;
        var token = TokenCommand.Mint(auth, host, new TokenCommand.TokenRequest("alice", "Alice", ["g1"], TimeSpan.FromHours(1)), TimeProvider.System);
        var expired = TokenCommand.Mint(auth, host, new TokenCommand.TokenRequest("alice", null, [], TimeSpan.FromMinutes(1)),
            new FixedTime(DateTimeOffset.UtcNow.AddHours(-1)));
        using var client = factory.CreateClient();

        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var ok = await client.GetAsync("/api/chat/conversations");
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", expired);
        using var refused = await client.GetAsync("/api/chat/conversations");
        client.DefaultRequestHeaders.Authorization = null;
        using var anonymous = await client.GetAsync("/api/chat/conversations");

        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"The token expired at", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.IsType<DevSigningKeyProvider>(factory.Services.GetRequiredService<IJwtSigningKeyProvider>());
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
