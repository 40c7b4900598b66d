using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Ingestion;

namespace RagFunctions.Local.Tests.Ingestion;

public sealed class DropFolderLoadTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ragfunctions-dropload-" + Guid.NewGuid().ToString("N"));
    private readonly DropFolder _folder;

    public DropFolderLoadTests()
    {
        _folder = new DropFolder(
            Options.Create(new IngestionOptions { DropFolder = Path.Combine(_directory, "docs") }),
            Options.Create(new LocalHostOptions { DataDirectory = _directory }));
    }

    [Fact]
    public void Load_returns_the_whole_file_or_null_when_it_is_gone()
    {
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        File.WriteAllBytes(Path.Combine(_folder.Root, "a.bin"), content);

        var loaded = _folder.Load("a.bin");

        Assert.NotNull(loaded);
        Assert.False(loaded.TooLarge);
        Assert.Equal(content, loaded.Bytes);
        Assert.Null(_folder.Load("missing.txt"));
    }

    [Fact]
    public async Task While_pinned_the_flow_reads_the_loaded_bytes_even_if_the_file_changed_and_after_release_it_reads_the_file()
    {
        var path = Path.Combine(_folder.Root, "doc.txt");
        await File.WriteAllTextAsync(path, "first version");
        var loaded = _folder.Load("doc.txt")!;
        await File.WriteAllTextAsync(path, "second version");

        using (_folder.Pin(loaded))
        {
            Assert.Equal("first version", await ReadAsync("doc.txt"));
            Assert.Equal("first version", await Task.Run(() => ReadAsync("./doc.txt"))); // flows into child tasks, path normalised
            await File.WriteAllTextAsync(Path.Combine(_folder.Root, "other.txt"), "other file");
            Assert.Equal("other file", await ReadAsync("other.txt")); // only the pinned path is answered from memory
        }

        Assert.Equal("second version", await ReadAsync("doc.txt"));
    }

    [Fact]
    public async Task A_pin_is_invisible_to_other_async_flows()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder.Root, "doc.txt"), "on disk");
        var pinnedRead = new TaskCompletionSource();
        var otherFlowRead = new TaskCompletionSource();
        var pinnedFlow = Task.Run(async () =>
        {
            using var pin = _folder.Pin(new LoadedFile("doc.txt", "in memory"u8.ToArray(), TooLarge: false));
            Assert.Equal("in memory", await ReadAsync("doc.txt"));
            pinnedRead.SetResult();
            await otherFlowRead.Task;
        });

        await pinnedRead.Task;
        Assert.Equal("on disk", await ReadAsync("doc.txt"));
        otherFlowRead.SetResult();
        await pinnedFlow;
    }

    [Fact]
    public void A_folder_configured_with_a_trailing_separator_still_resolves_its_files()
    {
        var folder = new DropFolder(
            Options.Create(new IngestionOptions { DropFolder = Path.Combine(_directory, "slash") + Path.DirectorySeparatorChar }),
            Options.Create(new LocalHostOptions { DataDirectory = _directory }));
        File.WriteAllText(Path.Combine(folder.Root, "a.txt"), "content");

        Assert.Equal(Path.Combine(_directory, "slash", "a.txt"), folder.ToFullPath("a.txt"));
        Assert.NotNull(folder.Load("a.txt"));
        Assert.Throws<ArgumentException>(() => folder.ToFullPath("../escape.txt"));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<string> ReadAsync(string sourcePath)
    {
        await using var stream = await _folder.OpenReadAsync(sourcePath, CancellationToken.None);
        using var reader = new StreamReader(stream!);
        return await reader.ReadToEndAsync();
    }
}
