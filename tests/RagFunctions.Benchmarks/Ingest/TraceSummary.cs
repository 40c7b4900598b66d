using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using RagFunctions.Benchmarks.Cli;

namespace RagFunctions.Benchmarks.Ingest;

/// <summary><c>trace-top</c>: the hottest methods of an EventPipe CPU-sampling trace (no dotnet-trace needed). Record one with
/// <c>DOTNET_EnableEventPipe=1 DOTNET_EventPipeOutputPath=/tmp/x.nettrace DOTNET_EventPipeConfig=Microsoft-DotNETCore-SampleProfiler:0:5,Microsoft-Windows-DotNETRuntime:4c14fccbd:5</c>.
/// Prints exclusive samples (the frame on top) and inclusive samples (anywhere on the stack) per method, for every sampled thread (samples in native code, e.g. SQLite, count too; use --filter to keep stacks through one method and drop idle threads).</summary>
internal static class TraceSummary
{
    public static Task<int> RunAsync(BenchArgs args)
    {
        var top = args.Int("top", 30);
        var filter = args.Optional("filter");
        var callersOf = args.Optional("callers");
        var callers = new Dictionary<string, int>(StringComparer.Ordinal);
        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args.Required("trace")));
        var exclusive = new Dictionary<string, int>(StringComparer.Ordinal);
        var inclusive = new Dictionary<string, int>(StringComparer.Ordinal);
        var samples = 0;
        foreach (var data in log.Events)
        {
            if (data.ProviderName != "Microsoft-DotNETCore-SampleProfiler" || data.EventName != "Thread/Sample")
            {
                continue;
            }

            var stack = data.CallStack();
            if (stack is null)
            {
                continue;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var first = true;
            var frames = new List<string>();
            for (var frame = stack; frame is not null; frame = frame.Caller)
            {
                frames.Add(Name(frame.CodeAddress));
            }

            if (filter is not null && !frames.Any(f => f.Contains(filter, StringComparison.Ordinal)))
            {
                continue;
            }

            samples++;
            if (callersOf is not null)
            {
                // The nearest three frames below the first match that are not runtime plumbing: who leads into it.
                var at = frames.FindIndex(f => f.Contains(callersOf, StringComparison.Ordinal));
                if (at >= 0)
                {
                    var chain = string.Join(" <- ", frames.Skip(at + 1).Where(f => f.StartsWith("RagFunctions", StringComparison.Ordinal) || f.StartsWith("HtmlAgility", StringComparison.Ordinal) || f.StartsWith("Microsoft.Data", StringComparison.Ordinal)).Take(3));
                    callers[chain] = callers.GetValueOrDefault(chain) + 1;
                }
            }

            foreach (var name in frames)
            {
                if (first)
                {
                    exclusive[name] = exclusive.GetValueOrDefault(name) + 1;
                    first = false;
                }

                if (seen.Add(name))
                {
                    inclusive[name] = inclusive.GetValueOrDefault(name) + 1;
                }
            }
        }

        Console.WriteLine($"samples={samples}");
        foreach (var (chain, count) in callers.OrderByDescending(e => e.Value).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"caller {100.0 * count / samples,6:F1}% {chain}"));
        }

        Console.WriteLine("-- exclusive");
        foreach (var (name, count) in exclusive.OrderByDescending(e => e.Value).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{100.0 * count / samples,6:F1}% {name}"));
        }

        Console.WriteLine("-- inclusive");
        foreach (var (name, count) in inclusive.OrderByDescending(e => e.Value).Take(top * 2))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{100.0 * count / samples,6:F1}% {name}"));
        }

        return Task.FromResult(0);
    }

    private static string Name(TraceCodeAddress address)
    {
        var method = address.FullMethodName;
        return string.IsNullOrEmpty(method) ? $"{address.ModuleName}!?" : method;
    }
}
