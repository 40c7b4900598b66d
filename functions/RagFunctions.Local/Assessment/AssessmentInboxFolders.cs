using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Assessment;
using RagFunctions.Local.Hosting;

namespace RagFunctions.Local.Assessment;

/// <summary>Timing of the folder inbox (code defaults, not configuration keys).</summary>
public sealed class AssessmentInboxSettings
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A file whose size and time have not changed for this long is taken as complete on first sight;
    /// a younger one must look the same on two consecutive scans.</summary>
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>The inbox folder (<c>RagFunctions:Assessment:InboxFolder</c>, default <c>{DataDirectory}/events/assessment</c>) and its
/// <c>processed/</c> and <c>deadletter/</c> subfolders. Files only ever move between them, never get deleted.</summary>
public sealed class AssessmentInboxFolders
{
    public AssessmentInboxFolders(IOptions<AssessmentOptions> options, IOptions<LocalHostOptions> local)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(local);
        var configured = options.Value.InboxFolder;
        Inbox = Path.GetFullPath(string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(local.Value.DataDirectory, "events", "assessment")
            : configured);
        Processed = Path.Combine(Inbox, "processed");
        DeadLetter = Path.Combine(Inbox, "deadletter");
    }

    public string Inbox { get; }

    public string Processed { get; }

    public string DeadLetter { get; }

    public void EnsureCreated()
    {
        Directory.CreateDirectory(Inbox);
        Directory.CreateDirectory(Processed);
        Directory.CreateDirectory(DeadLetter);
    }

    /// <summary>Moves a file into <paramref name="folder"/> without overwriting an earlier file of the same name. Returns the new path.</summary>
    public static string MoveInto(string path, string folder)
    {
        var target = FreeName(folder, Path.GetFileName(path));
        File.Move(path, target, overwrite: false);
        return target;
    }

    /// <summary>Writes a body that never was a file (HTTP inbox) into <c>deadletter/</c> with its reason. Returns the file path.</summary>
    public async Task<string> WriteDeadLetterAsync(string fileName, ReadOnlyMemory<byte> body, ProcessingDecision.DeadLetter decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        EnsureCreated();
        var target = FreeName(DeadLetter, fileName);
        await File.WriteAllBytesAsync(target, body, cancellationToken).ConfigureAwait(false);
        await WriteReasonAsync(target, decision, cancellationToken).ConfigureAwait(false);
        return target;
    }

    /// <summary>Writes <c>&lt;name&gt;.reason.txt</c> beside a dead-lettered file: the reason code, then the description, then one line per field error.</summary>
    public static async Task WriteReasonAsync(string deadLetteredPath, ProcessingDecision.DeadLetter decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"reason: {decision.Reason}\n")
            .Append(CultureInfo.InvariantCulture, $"description: {decision.Description}\n");
        foreach (var (field, messages) in decision.Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{field}: {string.Join(" ", messages)}\n");
        }

        await File.WriteAllTextAsync(ReasonPath(deadLetteredPath), text.ToString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>deadletter/evt.json</c> → <c>deadletter/evt.reason.txt</c>.</summary>
    public static string ReasonPath(string deadLetteredPath) =>
        Path.Combine(Path.GetDirectoryName(deadLetteredPath)!, Path.GetFileNameWithoutExtension(deadLetteredPath) + ".reason.txt");

    private static string FreeName(string folder, string fileName)
    {
        var target = Path.Combine(folder, fileName);
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var extension = Path.GetExtension(fileName);
        for (var n = 1; File.Exists(target) || File.Exists(ReasonPath(target)); n++)
        {
            target = Path.Combine(folder, $"{stem}.{n}{extension}");
        }

        return target;
    }
}
