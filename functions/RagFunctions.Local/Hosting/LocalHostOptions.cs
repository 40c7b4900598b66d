namespace RagFunctions.Local.Hosting;

/// <summary>Bound from <c>RagFunctions:Local</c>: where the embedded host keeps its state.</summary>
public sealed class LocalHostOptions
{
    public const string Section = "RagFunctions:Local";

    /// <summary>Root folder for the SQLite file, drop folders and inboxes. Relative paths resolve against the working directory.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>SQLite file name inside <see cref="DataDirectory"/>.</summary>
    public string DatabaseFile { get; set; } = "ragfunctions.db";

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFile));
}
