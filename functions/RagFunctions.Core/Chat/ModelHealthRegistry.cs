using System.Collections.Concurrent;

namespace RagFunctions.Core.Chat;

/// <summary>The last success and last failure of each chat model, as this process saw them (reported by <c>/api/health</c>).</summary>
public sealed class ModelHealthRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ModelHealth> _models = new(StringComparer.Ordinal);

    public void Succeeded(string model) =>
        _models.AddOrUpdate(model, _ => new ModelHealth(model, time.GetUtcNow(), null, null), (_, h) => h with { LastSuccessAt = time.GetUtcNow() });

    public void Failed(string model, ModelFailureCause cause) =>
        _models.AddOrUpdate(model, _ => new ModelHealth(model, null, time.GetUtcNow(), cause.ToString()), (_, h) => h with { LastErrorAt = time.GetUtcNow(), LastError = cause.ToString() });

    public ModelHealth Get(string model) => _models.TryGetValue(model, out var health) ? health : new ModelHealth(model, null, null, null);
}

/// <summary>One model's record; <see cref="IsFailing"/> when its latest call failed.</summary>
public sealed record ModelHealth(string Model, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastErrorAt, string? LastError)
{
    public bool IsFailing => LastErrorAt is { } error && (LastSuccessAt is null || error > LastSuccessAt);
}
