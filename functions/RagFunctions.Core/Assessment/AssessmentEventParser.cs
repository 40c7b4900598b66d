using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RagFunctions.Core.Assessment;

/// <summary>Parses and validates <c>analysis_complete</c> events. Property names match ignoring case and underscores, so the camelCase
/// schema and the snake_case spelling of a Node.js publisher (<c>event_type</c>, <c>via_is</c>, <c>persona_profile</c>…) both parse.
/// Every broken rule is reported at once, keyed by camelCase field path.</summary>
public static class AssessmentEventParser
{
    /// <summary>Largest event body accepted; anything larger is dead-lettered unread.</summary>
    public const int MaxEventBytes = 1024 * 1024;

    private const int MaxIdLength = 256;
    private const int MaxTitleLength = 200;
    private const int MaxSummaryLength = 4000;
    private const int MaxRecommendations = 20;

    private static readonly Dictionary<string, string> RiasecAliases = BuildAliases(Riasec.Codes, Riasec.Names);
    private static readonly Dictionary<string, string> OceanAliases = BuildAliases(BigFive.Codes, BigFive.Names);

    /// <summary>Parses a UTF-8 JSON event; throws <see cref="AssessmentEventInvalidException"/> when it is malformed or invalid.</summary>
    public static AssessmentEvent Parse(ReadOnlyMemory<byte> utf8Json)
    {
        if (utf8Json.Length > MaxEventBytes)
        {
            throw new AssessmentEventInvalidException(AssessmentEventInvalidException.TooLarge, Single("body", $"The event is larger than {MaxEventBytes} bytes."));
        }

        var span = utf8Json;
        if (span.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        // System.Text.Json checks UTF-8 only when a string is read (GetString throws InvalidOperationException), which surfaced as a 500 on
        // the HTTP inbox and endless retries in the folder inbox. Checked up front, a bad byte is a malformed event: dead-letter at once.
        if (InvalidUtf8Offset(span.Span) is { } offset)
        {
            throw new AssessmentEventInvalidException(
                AssessmentEventInvalidException.MalformedJson, Single("body", $"The event is not valid UTF-8 (invalid byte sequence at offset {offset})."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(span);
        }
        catch (JsonException ex)
        {
            throw new AssessmentEventInvalidException(AssessmentEventInvalidException.MalformedJson, Single("body", $"Malformed JSON: {ex.Message}"));
        }

        using (document)
        {
            return Parse(document.RootElement);
        }
    }

    /// <summary>Validates an already-parsed event.</summary>
    /// <summary>The offset of the first byte that does not start a valid UTF-8 sequence, or null when the whole input is valid UTF-8.</summary>
    internal static int? InvalidUtf8Offset(ReadOnlySpan<byte> utf8)
    {
        if (System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return null;
        }

        var offset = 0;
        while (offset < utf8.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return offset;
    }

    public static AssessmentEvent Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new AssessmentEventInvalidException(AssessmentEventInvalidException.MalformedJson, Single("body", "The event must be a JSON object."));
        }

        var errors = new ErrorBag();
        var eventType = RequiredId(root, "eventType", errors);
        if (eventType is not null && !string.Equals(eventType, AssessmentEvent.AnalysisComplete, StringComparison.Ordinal))
        {
            errors.Add("eventType", $"Must be '{AssessmentEvent.AnalysisComplete}', not '{eventType}'.");
        }

        var eventId = RequiredId(root, "eventId", errors);
        var userId = RequiredId(root, "userId", errors);
        var assessmentId = RequiredId(root, "assessmentId", errors);
        var completedAt = RequiredTimestamp(root, "completedAt", errors);

        AssessmentResults? results = null;
        if (!TryGet(root, "results", out var resultsElement) || resultsElement.ValueKind == JsonValueKind.Null)
        {
            errors.Add("results", "Required.");
        }
        else
        {
            results = ParseResults(resultsElement, "results", errors);
        }

        errors.ThrowIfAny();
        return new AssessmentEvent(eventType!, eventId!, userId!, assessmentId!, completedAt!.Value, results!);
    }

    /// <summary>Validates a <c>results</c> object on its own (manual initialisation, stored context data).</summary>
    public static AssessmentResults ParseResults(JsonElement results)
    {
        var errors = new ErrorBag();
        var parsed = ParseResults(results, "results", errors);
        errors.ThrowIfAny();
        return parsed!;
    }

    /// <summary>The canonical camelCase JSON of validated results, as stored in a conversation's context data.</summary>
    public static JsonObject ToJson(AssessmentResults results)
    {
        var json = new JsonObject
        {
            ["riasec"] = ScoresToJson(results.Riasec, Riasec.Codes),
            ["ocean"] = ScoresToJson(results.Ocean, BigFive.Codes),
            ["viaIs"] = ScoresToJson(results.ViaIs, ViaStrengths.All),
        };
        if (results.PersonaProfile is { } persona)
        {
            json["personaProfile"] = new JsonObject
            {
                ["title"] = persona.Title,
                ["summary"] = persona.Summary,
                ["careerRecommendations"] = new JsonArray([.. persona.CareerRecommendations.Select(r => (JsonNode?)JsonValue.Create(r))]),
            };
        }

        return json;
    }

    private static AssessmentResults? ParseResults(JsonElement element, string path, ErrorBag errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "Must be an object.");
            return null;
        }

        var riasec = ParseFixedScores(element, path, "riasec", "RIASEC", RiasecAliases, Riasec.Codes, errors, alternative: null);
        var ocean = ParseFixedScores(element, path, "ocean", "Big Five", OceanAliases, BigFive.Codes, errors, alternative: "bigFive");
        var via = ParseStrengths(element, path, errors);
        var persona = ParsePersona(element, path, errors);
        return riasec is null || ocean is null || via is null ? null : new AssessmentResults(riasec, ocean, via, persona);
    }

    private static Dictionary<string, double>? ParseFixedScores(
        JsonElement parent, string parentPath, string name, string label, Dictionary<string, string> aliases, IReadOnlyList<string> codes, ErrorBag errors, string? alternative)
    {
        var path = $"{parentPath}.{name}";
        if (!TryGet(parent, name, out var element) && (alternative is null || !TryGet(parent, alternative, out element)))
        {
            errors.Add(path, $"Required: scores for {string.Join(", ", codes)}.");
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "Must be an object of scores.");
            return null;
        }

        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        var ok = true;
        foreach (var property in element.EnumerateObject())
        {
            var fieldPath = $"{path}.{property.Name}";
            if (!aliases.TryGetValue(Squash(property.Name), out var code))
            {
                errors.Add(fieldPath, $"Unknown {label} key; expected exactly {string.Join(", ", codes)}.");
                ok = false;
                continue;
            }

            if (scores.ContainsKey(code))
            {
                errors.Add(fieldPath, $"Duplicate score for {code}.");
                ok = false;
                continue;
            }

            if (Score(property.Value, fieldPath, errors) is { } score)
            {
                scores[code] = score;
            }
            else
            {
                ok = false;
                scores[code] = double.NaN;
            }
        }

        var missing = codes.Where(c => !scores.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            errors.Add(path, $"Missing {string.Join(", ", missing)}; {label} needs exactly {string.Join(", ", codes)}.");
            ok = false;
        }

        return ok ? scores : null;
    }

    private static Dictionary<string, double>? ParseStrengths(JsonElement parent, string parentPath, ErrorBag errors)
    {
        var path = $"{parentPath}.viaIs";
        var strengths = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!TryGet(parent, "viaIs", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return strengths;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "Must be an object of strength scores.");
            return null;
        }

        var ok = true;
        foreach (var property in element.EnumerateObject())
        {
            var fieldPath = $"{path}.{property.Name}";
            var canonical = ViaStrengths.Canonicalize(property.Name);
            if (canonical is null)
            {
                errors.Add(fieldPath, "Not one of the 24 VIA character strengths.");
                ok = false;
                continue;
            }

            if (strengths.ContainsKey(canonical))
            {
                errors.Add(fieldPath, $"Duplicate score for {canonical}.");
                ok = false;
                continue;
            }

            if (Score(property.Value, fieldPath, errors) is { } score)
            {
                strengths[canonical] = score;
            }
            else
            {
                ok = false;
            }
        }

        return ok ? strengths : null;
    }

    private static PersonaProfile? ParsePersona(JsonElement parent, string parentPath, ErrorBag errors)
    {
        var path = $"{parentPath}.personaProfile";
        if (!TryGet(parent, "personaProfile", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "Must be an object.");
            return null;
        }

        var title = OptionalText(element, "title", $"{path}.title", MaxTitleLength, errors);
        var summary = OptionalText(element, "summary", $"{path}.summary", MaxSummaryLength, errors);
        var recommendations = new List<string>();
        if (TryGet(element, "careerRecommendations", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            var listPath = $"{path}.careerRecommendations";
            if (list.ValueKind != JsonValueKind.Array)
            {
                errors.Add(listPath, "Must be an array of strings.");
            }
            else
            {
                var index = 0;
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
                    {
                        errors.Add($"{listPath}[{index}]", "Must be a non-empty string.");
                    }
                    else if (item.GetString()!.Length > MaxTitleLength)
                    {
                        errors.Add($"{listPath}[{index}]", $"At most {MaxTitleLength} characters.");
                    }
                    else
                    {
                        recommendations.Add(item.GetString()!.Trim());
                    }

                    index++;
                }

                if (index > MaxRecommendations)
                {
                    errors.Add(listPath, $"At most {MaxRecommendations} recommendations.");
                }
            }
        }

        return new PersonaProfile(title, summary, recommendations);
    }

    private static double? Score(JsonElement value, string path, ErrorBag errors)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var score) || !double.IsFinite(score))
        {
            errors.Add(path, "Must be a number from 0 to 100.");
            return null;
        }

        if (score is < 0 or > 100)
        {
            errors.Add(path, $"Must be from 0 to 100, not {score.ToString(CultureInfo.InvariantCulture)}.");
            return null;
        }

        return score;
    }

    private static string? RequiredId(JsonElement root, string name, ErrorBag errors)
    {
        if (!TryGet(root, name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(name, "Required.");
            return null;
        }

        // Numeric ids are tolerated as their literal text: some publishers use integer user ids.
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!.Trim(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        if (text is null)
        {
            errors.Add(name, "Must be a string.");
            return null;
        }

        if (text.Length == 0)
        {
            errors.Add(name, "Must not be empty.");
            return null;
        }

        if (text.Length > MaxIdLength || text.Any(char.IsControl))
        {
            errors.Add(name, $"Must be at most {MaxIdLength} printable characters.");
            return null;
        }

        return text;
    }

    private static DateTimeOffset? RequiredTimestamp(JsonElement root, string name, ErrorBag errors)
    {
        if (!TryGet(root, name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(name, "Required.");
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var timestamp))
        {
            return timestamp;
        }

        errors.Add(name, "Must be an ISO 8601 timestamp, e.g. 2026-11-20T10:00:00Z.");
        return null;
    }

    private static string? OptionalText(JsonElement parent, string name, string path, int maxLength, ErrorBag errors)
    {
        if (!TryGet(parent, name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(path, "Must be a string.");
            return null;
        }

        var text = value.GetString()!.Trim();
        if (text.Length > maxLength)
        {
            errors.Add(path, $"At most {maxLength} characters.");
            return null;
        }

        return text.Length == 0 ? null : text;
    }

    /// <summary>Finds a property whatever its spelling: <c>viaIs</c>, <c>via_is</c>, <c>ViaIs</c> all match "viaIs".</summary>
    public static bool TryGetProperty(JsonElement parent, string camelName, out JsonElement value) => TryGet(parent, camelName, out value);

    private static bool TryGet(JsonElement parent, string camelName, out JsonElement value)
    {
        value = default;
        if (parent.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var wanted = Squash(camelName);
        foreach (var property in parent.EnumerateObject())
        {
            if (string.Equals(Squash(property.Name), wanted, StringComparison.Ordinal))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }

    private static string Squash(string name) =>
        string.Concat(name.Where(c => c != '_' && c != '-' && c != ' ')).ToLowerInvariant();

    private static Dictionary<string, string> BuildAliases(IReadOnlyList<string> codes, IReadOnlyDictionary<string, string> names)
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var code in codes)
        {
            aliases[Squash(code)] = code;
            aliases[Squash(names[code])] = code;
        }

        return aliases;
    }

    private static JsonObject ScoresToJson(IReadOnlyDictionary<string, double> scores, IReadOnlyList<string> order)
    {
        var json = new JsonObject();
        foreach (var key in order.Where(scores.ContainsKey))
        {
            json[key] = scores[key];
        }

        return json;
    }

    private static Dictionary<string, string[]> Single(string field, string error) => new() { [field] = [error] };

    private sealed class ErrorBag
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public void Add(string field, string error)
        {
            if (!_errors.TryGetValue(field, out var list))
            {
                _errors[field] = list = [];
            }

            list.Add(error);
        }

        public void ThrowIfAny()
        {
            if (_errors.Count > 0)
            {
                throw new AssessmentEventInvalidException(
                    AssessmentEventInvalidException.ValidationFailed,
                    _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
            }
        }
    }
}
