using System.Net;
using Microsoft.Extensions.AI;
using RagFunctions.Azure.OpenAI;
using RagFunctions.Azure.Tests.Http;
using RagFunctions.Core.Common;

namespace RagFunctions.Azure.Tests.OpenAI;

public sealed class OpenAIEmbeddingGeneratorContractTests
{
    [Fact]
    public async Task Azure_kind_posts_to_the_v1_embeddings_path_with_an_entra_token()
    {
        var fake = new OpenAIFake();

        var result = await fake.Embedder().GenerateAsync(["first", "second"]);

        var request = Assert.Single(fake.Handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://res.openai.azure.com/openai/v1/embeddings", request.Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal("Bearer fixed-token", request.Header("Authorization"));
        Assert.Null(request.Header("api-key"));
        Assert.Equal([OpenAIClientFactory.AzureScope], fake.Credential.RequestedScopes.Distinct());

        var body = request.Json;
        Assert.Equal("embed-deployment", body.GetProperty("model").GetString());
        Assert.Equal(["first", "second"], body.GetProperty("input").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(3, body.GetProperty("dimensions").GetInt32());

        // The fake answers out of order; results follow the inputs.
        Assert.Equal(2, result.Count);
        Assert.Equal([1f, 1f, 1f], result[0].Vector.ToArray());
        Assert.Equal([2f, 2f, 2f], result[1].Vector.ToArray());
        Assert.Equal("text-embedding-3-small", result[0].ModelId);
        Assert.Equal(10, result.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task Compatible_kind_uses_the_endpoint_as_given_and_an_api_key()
    {
        var fake = new OpenAIFake();
        var generator = new OpenAIEmbeddingGenerator(
            fake.Factory(OpenAIOptions.KindCompatible, apiKey: "sk-local").GetEmbeddingClient("nomic-embed-text"), "nomic-embed-text", 3);

        await generator.GenerateAsync(["x"]);

        var request = Assert.Single(fake.Handler.Requests);
        Assert.Equal("http://localhost:11434/v1/embeddings", request.Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal("Bearer sk-local", request.Header("Authorization"));
        Assert.Equal("nomic-embed-text", request.Json.GetProperty("model").GetString());
        Assert.Empty(fake.Credential.RequestedScopes);
    }

    [Fact]
    public async Task Throttling_becomes_rate_limited_with_retry_after_and_is_not_retried_by_the_sdk()
    {
        var fake = new OpenAIFake(_ => OpenAIFake.TooManyRequests("7"));

        var error = await Assert.ThrowsAsync<RateLimitedProblemException>(() => fake.Embedder().GenerateAsync(["x"]));

        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Single(fake.Handler.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public async Task Server_failures_become_upstream_unavailable(HttpStatusCode status)
    {
        var fake = new OpenAIFake(_ => Canned.Error(status));

        await Assert.ThrowsAsync<UpstreamUnavailableProblemException>(() => fake.Embedder().GenerateAsync(["x"]));
        Assert.Single(fake.Handler.Requests);
    }

    [Fact]
    public async Task Unreachable_server_becomes_upstream_unavailable()
    {
        var fake = new OpenAIFake(_ => throw new HttpRequestException("connection refused"));
        await Assert.ThrowsAsync<UpstreamUnavailableProblemException>(() => fake.Embedder().GenerateAsync(["x"]));
    }

    [Fact]
    public async Task Client_errors_other_than_429_are_not_turned_into_retryable_problems()
    {
        var fake = new OpenAIFake(_ => Canned.Error(HttpStatusCode.Unauthorized));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => fake.Embedder().GenerateAsync(["x"]));
        Assert.IsNotAssignableFrom<ProblemException>(error);
    }

    [Fact]
    public async Task A_model_without_the_dimensions_parameter_is_retried_once_without_it_and_remembered()
    {
        var responder = new OpenAIFake(request => request.Json.TryGetProperty("dimensions", out _)
            ? Canned.Error(HttpStatusCode.BadRequest, """{"error":{"message":"This model does not support specifying dimensions.","type":"invalid_request_error"}}""")
            : OpenAIFake.EmbeddingResponse(request, 3));
        var generator = responder.Embedder();

        await generator.GenerateAsync(["a"]);
        await generator.GenerateAsync(["b"]);

        var bodies = responder.Handler.Requests.Select(r => r.Json).ToList();
        Assert.Equal(3, bodies.Count);
        Assert.True(bodies[0].TryGetProperty("dimensions", out _));
        Assert.False(bodies[1].TryGetProperty("dimensions", out _));
        Assert.False(bodies[2].TryGetProperty("dimensions", out _));
    }

    [Fact]
    public async Task Vectors_of_another_size_than_configured_are_rejected()
    {
        var fake = new OpenAIFake { Dimensions = 5 };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => fake.Embedder(dimensions: 3).GenerateAsync(["x"]));
        Assert.Contains("RagFunctions:Embedding:Dimensions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_inputs_means_no_request()
    {
        var fake = new OpenAIFake();
        var result = await fake.Embedder().GenerateAsync([]);
        Assert.Empty(result);
        Assert.Empty(fake.Handler.Requests);
    }

    [Fact]
    public void Metadata_names_the_model_and_dimensions()
    {
        var metadata = new OpenAIFake().Embedder().GetService<EmbeddingGeneratorMetadata>();
        Assert.Equal("embed-deployment", metadata?.DefaultModelId);
        Assert.Equal(3, metadata?.DefaultModelDimensions);
    }
}
