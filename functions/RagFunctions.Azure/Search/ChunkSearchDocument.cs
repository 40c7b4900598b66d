using System.Text.Json.Serialization;

namespace RagFunctions.Azure.Search;

/// <summary>The shape of one chunk in the Azure AI Search index. Field names are the index schema's; keep them in step with <see cref="AzureSearchSchema"/>.</summary>
internal sealed class ChunkSearchDocument
{
    [JsonPropertyName(AzureSearchSchema.Id)] public string Id { get; set; } = "";
    [JsonPropertyName(AzureSearchSchema.Content)] public string Content { get; set; } = "";
    [JsonPropertyName(AzureSearchSchema.Title)] public string Title { get; set; } = "";
    [JsonPropertyName(AzureSearchSchema.SourcePath)] public string SourcePath { get; set; } = "";
    [JsonPropertyName(AzureSearchSchema.Page)] public int? Page { get; set; }
    [JsonPropertyName(AzureSearchSchema.Heading)] public string? Heading { get; set; }
    [JsonPropertyName(AzureSearchSchema.Ordinal)] public int Ordinal { get; set; }
    [JsonPropertyName(AzureSearchSchema.DocumentId)] public string DocumentId { get; set; } = "";
    [JsonPropertyName(AzureSearchSchema.StartOffset)] public int StartOffset { get; set; }
    [JsonPropertyName(AzureSearchSchema.EndOffset)] public int EndOffset { get; set; }
    [JsonPropertyName(AzureSearchSchema.TokenCount)] public int TokenCount { get; set; }
    [JsonPropertyName(AzureSearchSchema.OwnerIds)] public IList<string> OwnerIds { get; set; } = [];
    [JsonPropertyName(AzureSearchSchema.GroupIds)] public IList<string> GroupIds { get; set; } = [];

    [JsonPropertyName(AzureSearchSchema.VectorModel)] public string? VectorModel { get; set; }
    [JsonPropertyName(AzureSearchSchema.TextHash)] public string? TextHash { get; set; }

    /// <summary>Null on reads (queries do not select it) so results stay small; only the vector cache selects it.</summary>
    [JsonPropertyName(AzureSearchSchema.Vector)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public float[]? Vector { get; set; }
}
