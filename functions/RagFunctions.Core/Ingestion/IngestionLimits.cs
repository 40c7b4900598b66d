using System.Globalization;

namespace RagFunctions.Core.Ingestion;

/// <summary>Bounds on the work one document may cost, bound from <c>RagFunctions:Ingestion:Limits</c>. Every parser of
/// user-supplied content honours them; a document that breaches one ends <c>failed</c> with a reason naming the limit
/// and its setting (see <see cref="Breach"/>), and nothing else is affected.</summary>
public sealed class IngestionLimits
{
    public const string Section = "RagFunctions:Ingestion:Limits";

    /// <summary>Deepest nesting any parser follows: HTML/XML elements, JSON values, PDF arrays and dictionaries (in
    /// objects and content streams), page-tree levels and form XObjects. Real documents stay far below it; hostile ones
    /// use tens of thousands of levels to overflow the stack.</summary>
    public int MaxNestingDepth { get; set; } = 256;

    /// <summary>Wall-clock budget for extracting one document, in seconds.</summary>
    public double ExtractionTimeoutSeconds { get; set; } = 120;

    /// <summary>Most bytes a compressed container may expand to: the sum of a .docx package's entries, and each decoded
    /// PDF content stream (default 128 MiB).</summary>
    public long MaxExpandedBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Most characters of text one document may yield (default 20 million).</summary>
    public int MaxExtractedCharacters { get; set; } = 20_000_000;

    /// <summary>Most chunks one document may yield (default 50,000).</summary>
    public int MaxChunks { get; set; } = 50_000;

    /// <summary>Most content-stream operators one PDF may execute, form XObjects included (default 20 million; the 113-page
    /// R-intro manual executes 40,050, measured).</summary>
    public long MaxPdfOperators { get; set; } = 20_000_000;

    /// <summary>How many times a document whose ingestion was in flight when the worker died is attempted again before it
    /// is quarantined (ends <c>failed</c> and is not retried until its content changes).</summary>
    public int MaxInterruptedAttempts { get; set; } = 2;

    /// <summary>The reason text for a breached limit: what was exceeded, the limit, and the setting that raises it.</summary>
    public static string Breach(string what, long limit, string settingName, string unit = "") =>
        string.Create(CultureInfo.InvariantCulture, $"{what} exceeds the limit of {limit:N0}{unit} ({Section}:{settingName})");
}
