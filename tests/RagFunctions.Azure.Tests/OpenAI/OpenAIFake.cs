using System.ClientModel.Primitives;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using RagFunctions.Azure.Identity;
using RagFunctions.Azure.OpenAI;
using RagFunctions.Azure.Tests.Http;

namespace RagFunctions.Azure.Tests.OpenAI;

/// <summary>An OpenAI-shaped server behind a recording transport, and factories wired to it.</summary>
internal sealed class OpenAIFake
{
    public const string AzureResource = "https://res.openai.azure.com/";
    public const string CompatibleEndpoint = "http://localhost:11434/v1";

    public OpenAIFake(Func<RecordedRequest, HttpResponseMessage>? responder = null)
    {
        Handler = new RecordingHandler(r => (responder ?? Respond)(r));
    }

    public RecordingHandler Handler { get; }

    public FixedTokenCredential Credential { get; } = new("fixed-token");

    /// <summary>Dimensions of the vectors the default responder returns.</summary>
    public int Dimensions { get; set; } = 3;

    public OpenAIClientFactory Factory(string kind = OpenAIOptions.KindAzure, string? apiKey = null, string? endpoint = null) =>
        new(
            new OpenAIOptions
            {
                Endpoint = endpoint ?? (kind == OpenAIOptions.KindAzure ? AzureResource : CompatibleEndpoint),
                Kind = kind,
                ApiKey = apiKey,
                EmbeddingModel = "embed-deployment",
            },
            AzureCredentialFactory.FromCredential(Credential),
            new HttpClientPipelineTransport(new HttpClient(Handler)));

    public OpenAIEmbeddingGenerator Embedder(string kind = OpenAIOptions.KindAzure, int? dimensions = null) =>
        new(Factory(kind).GetEmbeddingClient("embed-deployment"), "embed-deployment", dimensions ?? Dimensions);

    public HttpResponseMessage Respond(RecordedRequest request) =>
        request.Uri.AbsolutePath.EndsWith("/embeddings", StringComparison.Ordinal)
            ? EmbeddingResponse(request, Dimensions)
            : ChatResponse("Hello [1]");

    /// <summary>Vector i is (i+1, i+1, …); encoded the way the request asked (the SDK asks for base64).</summary>
    public static HttpResponseMessage EmbeddingResponse(RecordedRequest request, int dimensions)
    {
        var body = request.Json;
        var count = body.GetProperty("input").GetArrayLength();
        var base64 = body.TryGetProperty("encoding_format", out var format) && format.GetString() == "base64";
        var data = Enumerable.Range(0, count).Reverse().Select(i =>
        {
            var vector = Enumerable.Repeat((float)(i + 1), dimensions).ToArray();
            object embedding = base64 ? Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan())) : vector;
            return new { @object = "embedding", index = i, embedding };
        });
        return Canned.Json(Canned.Serialize(new
        {
            @object = "list",
            data,
            model = "text-embedding-3-small",
            usage = new { prompt_tokens = 5 * count, total_tokens = 5 * count },
        }));
    }

    public static HttpResponseMessage ChatResponse(string text, string finishReason = "stop") =>
        Canned.Json(Canned.Serialize(new
        {
            id = "chatcmpl-1",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "gpt-4o-mini-2024-07-18",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = finishReason } },
            usage = new { prompt_tokens = 12, completion_tokens = 3, total_tokens = 15 },
        }));

    public static HttpResponseMessage EventStream(params string[] dataLines)
    {
        var text = new StringBuilder();
        foreach (var line in dataLines)
        {
            text.Append("data: ").Append(line).Append("\n\n");
        }

        return Canned.Text(text.ToString(), "text/event-stream");
    }

    public static HttpResponseMessage TooManyRequests(string retryAfter) =>
        Canned.Error((HttpStatusCode)429, """{"error":{"code":"429","message":"Rate limit reached"}}""", ("Retry-After", retryAfter));
}
