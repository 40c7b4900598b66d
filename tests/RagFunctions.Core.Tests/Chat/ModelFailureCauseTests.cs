using System.Net;
using System.Net.Sockets;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Common;

namespace RagFunctions.Core.Tests.Chat;

public sealed class ModelFailureCauseTests
{
    [Fact]
    public void Causes_are_classified_without_the_exception_message()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "http://key@host refused", new SocketException((int)SocketError.ConnectionRefused));
        Assert.Equal("unreachable", ModelFailureCause.Classify(refused).Class);
        Assert.Equal("unreachable", ModelFailureCause.Classify(new InvalidOperationException("wrapped", new SocketException((int)SocketError.HostNotFound))).Class);
        Assert.Equal("401", ModelFailureCause.Classify(new HttpRequestException("x", null, HttpStatusCode.Unauthorized)).Class);
        Assert.Equal("429", ModelFailureCause.Classify(new RateLimitedProblemException("slow down", TimeSpan.FromSeconds(3))).Class);
        Assert.Equal("5xx", ModelFailureCause.Classify(new HttpRequestException("x", null, HttpStatusCode.BadGateway)).Class);
        Assert.Equal("5xx", ModelFailureCause.Classify(new StatusCarrying(503)).Class);
        Assert.Equal("timeout", ModelFailureCause.Classify(new TimeoutException()).Class);
        Assert.Equal("error", ModelFailureCause.Classify(new InvalidOperationException("secret")).Class);
        Assert.DoesNotContain("key@host", ModelFailureCause.Classify(refused).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_is_failing_until_it_succeeds_again()
    {
        var time = new ManualTime();
        var registry = new ModelHealthRegistry(time);
        registry.Failed("m", ModelFailureCause.FromStatus(500));
        Assert.True(registry.Get("m").IsFailing);
        time.Advance();
        registry.Succeeded("m");
        Assert.False(registry.Get("m").IsFailing);
        Assert.Equal("5xx: the model endpoint answered 500", registry.Get("m").LastError);
        Assert.False(registry.Get("never-called").IsFailing);
    }

    /// <summary>Like System.ClientModel.ClientResultException (OpenAI SDK): the status is an int property named Status.</summary>
    private sealed class StatusCarrying(int status) : Exception("upstream said no")
    {
        public int Status { get; } = status;
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public void Advance() => _now = _now.AddSeconds(1);

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
