using RagFunctions.Core.Assessment;

namespace RagFunctions.Core.Tests.Assessment;

public sealed class AssessmentEventParserTests
{
    [Fact]
    public void CamelCase_event_parses_all_fields()
    {
        var parsed = AssessmentEventParser.Parse(AssessmentSamples.Bytes(AssessmentSamples.CamelCase()));

        Assert.Equal("analysis_complete", parsed.EventType);
        Assert.Equal("evt-1", parsed.EventId);
        Assert.Equal("user-1", parsed.UserId);
        Assert.Equal("asm-1", parsed.AssessmentId);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), parsed.CompletedAt);
        Assert.Equal(92, parsed.Results.Riasec["I"]);
        Assert.Equal(6, parsed.Results.Riasec.Count);
        Assert.Equal(30, parsed.Results.Ocean["N"]);
        Assert.Equal(5, parsed.Results.Ocean.Count);
        Assert.Equal(90, parsed.Results.ViaIs["creativity"]);
        Assert.Equal("The Inventive Analyst", parsed.Results.PersonaProfile!.Title);
        Assert.Equal(["Data Scientist", "Mechanical Engineer"], parsed.Results.PersonaProfile.CareerRecommendations);
    }

    [Fact]
    public void Snake_case_variant_parses_to_the_same_event()
    {
        var camel = AssessmentEventParser.Parse(AssessmentSamples.Bytes(AssessmentSamples.CamelCase()));
        var snake = AssessmentEventParser.Parse(AssessmentSamples.Bytes(AssessmentSamples.SnakeCase()));

        Assert.Equal(camel.EventType, snake.EventType);
        Assert.Equal(camel.EventId, snake.EventId);
        Assert.Equal(camel.UserId, snake.UserId);
        Assert.Equal(camel.AssessmentId, snake.AssessmentId);
        Assert.Equal(camel.CompletedAt, snake.CompletedAt);
        Assert.Equal(camel.Results.Riasec, snake.Results.Riasec);
        Assert.Equal(camel.Results.Ocean, snake.Results.Ocean);
        Assert.Equal(camel.Results.ViaIs, snake.Results.ViaIs);
        Assert.Equal(camel.Results.PersonaProfile!.Summary, snake.Results.PersonaProfile!.Summary);
        Assert.Equal(camel.Results.PersonaProfile.CareerRecommendations, snake.Results.PersonaProfile.CareerRecommendations);
    }

    [Fact]
    public void Malformed_json_is_reported_as_malformed()
    {
        var ex = Assert.Throws<AssessmentEventInvalidException>(() => AssessmentEventParser.Parse(AssessmentSamples.Bytes("{ \"eventType\": ")));

        Assert.Equal(AssessmentEventInvalidException.MalformedJson, ex.Reason);
        Assert.Contains("body", ex.Errors.Keys);
    }

    [Fact]
    public void Non_object_body_is_malformed()
    {
        var ex = Assert.Throws<AssessmentEventInvalidException>(() => AssessmentEventParser.Parse(AssessmentSamples.Bytes("[1,2]")));
        Assert.Equal(AssessmentEventInvalidException.MalformedJson, ex.Reason);
    }

    [Fact]
    public void Every_broken_rule_is_reported_at_once()
    {
        const string json = """
            { "eventType": "analysis_started", "eventId": "e", "userId": "  ", "completedAt": "yesterday",
              "results": { "riasec": {"R":85,"I":192,"A":78,"S":60,"E":55,"X":40},
                           "ocean": {"O":88,"C":75,"E":82,"A":70,"N":30,"Q":1},
                           "viaIs": {"creativity":-1,"telepathy":50} } }
            """;

        var ex = Assert.Throws<AssessmentEventInvalidException>(() => AssessmentEventParser.Parse(AssessmentSamples.Bytes(json)));

        Assert.Equal(AssessmentEventInvalidException.ValidationFailed, ex.Reason);
        string[] expectedFields =
        [
            "eventType", "userId", "assessmentId", "completedAt",
            "results.riasec.I", "results.riasec.X", "results.riasec",
            "results.ocean.Q",
            "results.viaIs.creativity", "results.viaIs.telepathy",
        ];
        foreach (var field in expectedFields)
        {
            Assert.True(ex.Errors.ContainsKey(field), $"expected an error for {field}; got {string.Join(", ", ex.Errors.Keys)}");
        }

        Assert.Contains("C", ex.Errors["results.riasec"].Single(), StringComparison.Ordinal);
        Assert.Contains("results.riasec.I", ex.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_results_and_ids_are_required()
    {
        var ex = Assert.Throws<AssessmentEventInvalidException>(() => AssessmentEventParser.Parse(AssessmentSamples.Bytes("{\"eventType\":\"analysis_complete\"}")));

        Assert.Equal(["assessmentId", "completedAt", "eventId", "results", "userId"], ex.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Big_five_must_have_all_five_traits()
    {
        var json = AssessmentSamples.CamelCase().Replace("\"N\":30", "\"X\":30", StringComparison.Ordinal);

        var ex = Assert.Throws<AssessmentEventInvalidException>(() => AssessmentEventParser.Parse(AssessmentSamples.Bytes(json)));

        Assert.Contains("results.ocean", ex.Errors.Keys);
        Assert.Contains("N", ex.Errors["results.ocean"].Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Scores_must_be_numbers()
    {
        var json = AssessmentSamples.CamelCase().Replace("\"R\":85", "\"R\":\"85\"", StringComparison.Ordinal);

        var ex = Assert.Throws<AssessmentEventInvalidException>(() => AssessmentEventParser.Parse(AssessmentSamples.Bytes(json)));

        Assert.Contains("results.riasec.R", ex.Errors.Keys);
    }

    [Theory]
    [InlineData("loveOfLearning", "love_of_learning")]
    [InlineData("love of learning", "love_of_learning")]
    [InlineData("Social_Intelligence", "social_intelligence")]
    [InlineData("open-mindedness", "judgment")]
    [InlineData("appreciationOfBeautyAndExcellence", "appreciation_of_beauty_and_excellence")]
    public void Via_strength_spellings_are_canonicalised(string spelling, string canonical)
    {
        var json = AssessmentSamples.CamelCase().Replace("\"leadership\":85", $"\"{spelling}\":85", StringComparison.Ordinal);

        var parsed = AssessmentEventParser.Parse(AssessmentSamples.Bytes(json));

        Assert.Equal(85, parsed.Results.ViaIs[canonical]);
    }

    [Fact]
    public void Via_catalogue_has_the_24_strengths_and_any_subset_is_valid()
    {
        Assert.Equal(24, ViaStrengths.All.Distinct().Count());
        var all = string.Join(",", ViaStrengths.All.Select((s, i) => $"\"{s}\":{i * 4}"));
        var json = AssessmentSamples.CamelCase().Replace("\"creativity\":90,\"leadership\":85", all, StringComparison.Ordinal);

        Assert.Equal(24, AssessmentEventParser.Parse(AssessmentSamples.Bytes(json)).Results.ViaIs.Count);

        var none = AssessmentSamples.CamelCase().Replace("\"creativity\":90,\"leadership\":85", string.Empty, StringComparison.Ordinal);
        Assert.Empty(AssessmentEventParser.Parse(AssessmentSamples.Bytes(none)).Results.ViaIs);
    }

    [Fact]
    public void Riasec_accepts_lower_case_letters_and_full_names()
    {
        var json = AssessmentSamples.CamelCase()
            .Replace("\"R\":85", "\"realistic\":85", StringComparison.Ordinal)
            .Replace("\"I\":92", "\"i\":92", StringComparison.Ordinal);

        var parsed = AssessmentEventParser.Parse(AssessmentSamples.Bytes(json));

        Assert.Equal(85, parsed.Results.Riasec["R"]);
        Assert.Equal(92, parsed.Results.Riasec["I"]);
    }

    [Fact]
    public void Oversized_body_is_rejected_unread()
    {
        var body = new byte[AssessmentEventParser.MaxEventBytes + 1];

        var ex = Assert.Throws<AssessmentEventInvalidException>(() => AssessmentEventParser.Parse(body));

        Assert.Equal(AssessmentEventInvalidException.TooLarge, ex.Reason);
    }

    [Fact]
    public void Results_round_trip_through_their_canonical_json()
    {
        var parsed = AssessmentSamples.Event().Results;

        var again = AssessmentEventParser.ParseResults(System.Text.Json.JsonSerializer.SerializeToElement(AssessmentEventParser.ToJson(parsed)));

        Assert.Equal(parsed.Riasec, again.Riasec);
        Assert.Equal(parsed.Ocean, again.Ocean);
        Assert.Equal(parsed.ViaIs, again.ViaIs);
        Assert.Equal(parsed.PersonaProfile!.CareerRecommendations, again.PersonaProfile!.CareerRecommendations);
    }
}
