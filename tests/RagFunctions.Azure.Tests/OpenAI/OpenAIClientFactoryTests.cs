using RagFunctions.Azure.OpenAI;
using RagFunctions.Azure.Tests.Http;

namespace RagFunctions.Azure.Tests.OpenAI;

public sealed class OpenAIClientFactoryTests
{
    [Theory]
    [InlineData("https://res.openai.azure.com", "https://res.openai.azure.com/openai/v1/")]
    [InlineData("https://res.openai.azure.com/", "https://res.openai.azure.com/openai/v1/")]
    [InlineData("https://res.openai.azure.com/openai/v1", "https://res.openai.azure.com/openai/v1/")]
    [InlineData("https://res.openai.azure.com/openai/v1/", "https://res.openai.azure.com/openai/v1/")]
    public void Azure_endpoints_resolve_to_the_v1_api(string configured, string expected) =>
        Assert.Equal(new Uri(expected), OpenAIClientFactory.ResolveEndpoint(new OpenAIOptions { Endpoint = configured, Kind = "Azure" }));

    [Theory]
    [InlineData("http://localhost:11434/v1")]
    [InlineData("http://vllm:8000/v1/")]
    public void Compatible_endpoints_are_used_as_given(string configured) =>
        Assert.Equal(new Uri(configured), OpenAIClientFactory.ResolveEndpoint(new OpenAIOptions { Endpoint = configured, Kind = "compatible" }));

    [Theory]
    [InlineData("", "azure")]
    [InlineData("not a url", "azure")]
    [InlineData("https://x.openai.azure.com/", "openai")]
    public void Bad_configuration_is_reported_with_the_key_name(string endpoint, string kind)
    {
        var error = Assert.Throws<InvalidOperationException>(() => OpenAIClientFactory.ResolveEndpoint(new OpenAIOptions { Endpoint = endpoint, Kind = kind }));
        Assert.Contains("RagFunctions:OpenAI:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_api_key_is_refused_for_azure()
    {
        var fake = new OpenAIFake();
        var error = Assert.Throws<InvalidOperationException>(() => fake.Factory(apiKey: "secret").Client);
        Assert.Contains("Entra ID", error.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Credential.RequestedScopes);
    }

    [Fact]
    public async Task Compatible_server_without_a_key_gets_a_placeholder()
    {
        var fake = new OpenAIFake();
        await new OpenAIEmbeddingGenerator(fake.Factory("compatible").GetEmbeddingClient("m"), "m", 3).GenerateAsync(["x"]);
        Assert.Equal("Bearer unused", Assert.Single(fake.Handler.Requests).Header("Authorization"));
    }
}
