using System.Runtime.CompilerServices;
using System.Text.Json;
using RagFunctions.Core.Ingestion.Chunking;
using Xunit.Abstractions;

namespace RagFunctions.Core.Tests.Ingestion.Chunking;

public sealed class TokenEstimatorTests(ITestOutputHelper output)
{
    private sealed record Sample(string Language, string Source, int Count, string Text);

    private static readonly Lazy<IReadOnlyList<Sample>> Samples = new(LoadSamples);

    private static string FixturePath([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", "cl100k-reference.json");

    private static IReadOnlyList<Sample> LoadSamples()
    {
        using var stream = File.OpenRead(FixturePath());
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("samples").EnumerateArray()
            .Select(s => new Sample(
                s.GetProperty("language").GetString()!,
                s.GetProperty("source").GetString()!,
                s.GetProperty("count").GetInt32(),
                s.GetProperty("text").GetString()!))
            .ToList();
    }

    [Fact]
    public void Fixture_has_enough_english_prose_and_other_scripts()
    {
        Assert.True(Samples.Value.Count(s => s.Language == "en") >= 40);
        Assert.Contains(Samples.Value, s => s.Language == "zh");
        Assert.Contains(Samples.Value, s => s.Language == "id");
        Assert.Contains(Samples.Value, s => s.Language == "code");
    }

    [Fact]
    public void Estimate_is_never_more_than_10_percent_below_real_cl100k_count_for_english_prose()
    {
        var english = Samples.Value.Where(s => s.Language == "en").ToList();
        var ratios = english.Select(s => (Sample: s, Ratio: TokenEstimator.Instance.CountTokens(s.Text) / (double)s.Count)).ToList();

        output.WriteLine($"english n={ratios.Count} min={ratios.Min(r => r.Ratio):F3} mean={ratios.Average(r => r.Ratio):F3} max={ratios.Max(r => r.Ratio):F3}");
        foreach (var group in Samples.Value.Where(s => s.Language != "en").GroupBy(s => s.Language))
        {
            var r = group.Select(s => TokenEstimator.Instance.CountTokens(s.Text) / (double)s.Count).ToList();
            output.WriteLine($"{group.Key} n={r.Count} min={r.Min():F3} mean={r.Average():F3} max={r.Max():F3}");
        }

        var below = ratios.Where(r => r.Ratio < 0.9).Select(r => $"{r.Sample.Source}: {r.Ratio:F3}").ToList();
        Assert.True(below.Count == 0, "Under-estimated: " + string.Join("; ", below));
    }

    [Fact]
    public void Estimate_is_sane_for_other_languages_and_code()
    {
        foreach (var sample in Samples.Value.Where(s => s.Language != "en"))
        {
            var ratio = TokenEstimator.Instance.CountTokens(sample.Text) / (double)sample.Count;
            Assert.True(ratio is >= 0.75 and <= 2.5, $"{sample.Language} {sample.Source}: ratio {ratio:F3}");
        }
    }

    [Theory]
    [InlineData("数据库连接失败请稍后再试")]
    [InlineData("日本語のテキストです")]
    [InlineData("안녕하세요세계")]
    public void Cjk_costs_at_least_one_token_per_character(string text)
    {
        Assert.True(TokenEstimator.Instance.CountTokens(text) >= text.Length);
    }

    [Fact]
    public void Empty_text_is_zero_and_any_visible_text_is_at_least_one()
    {
        Assert.Equal(0, TokenEstimator.Instance.CountTokens(""));
        Assert.Equal(1, TokenEstimator.Instance.CountTokens("a"));
        Assert.True(TokenEstimator.Instance.CountTokens("😀") >= 1);
    }

    [Fact]
    public void Numbers_cost_a_token_per_three_digits()
    {
        Assert.True(TokenEstimator.Instance.CountTokens("123456789012") >= 4);
    }

    [Fact]
    public void Long_text_costs_grow_with_length()
    {
        var sentence = "The quick brown fox jumps over the lazy dog. ";
        var one = TokenEstimator.Instance.CountTokens(sentence);
        var hundred = TokenEstimator.Instance.CountTokens(string.Concat(Enumerable.Repeat(sentence, 100)));
        Assert.InRange(hundred, 95 * one, 101 * one);
    }

    [Fact]
    public void Counting_does_not_allocate()
    {
        var text = Samples.Value[0].Text;
        TokenEstimator.Instance.CountTokens(text);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            TokenEstimator.Instance.CountTokens(text);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
