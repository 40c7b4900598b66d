using System.Globalization;

namespace RagFunctions.Azure.OpenAI;

/// <summary>Reads a server's wait hint. Azure services send <c>retry-after-ms</c> (precise) next to <c>Retry-After</c> (seconds or an HTTP date).</summary>
internal static class RetryAfterHeaders
{
    public static TimeSpan? Parse(Func<string, string?> header, DateTimeOffset now)
    {
        if (double.TryParse(header("retry-after-ms"), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
        {
            return TimeSpan.FromMilliseconds(millis);
        }

        var value = header("Retry-After");
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var delta = at - now;
            return delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
        }

        return null;
    }
}
