namespace RagFunctions.Core.Chat;

/// <summary>Conversation titles: a placeholder until the first user message, which then becomes the title (trimmed).</summary>
public static class ConversationTitles
{
    public const string Default = "New conversation";
    public const int FromMessageMaxLength = 80;

    /// <summary>The first user message on one line, cut at a word boundary to at most <see cref="FromMessageMaxLength"/> characters.</summary>
    public static string FromFirstMessage(string content)
    {
        var flat = string.Join(' ', content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (flat.Length <= FromMessageMaxLength)
        {
            return flat.Length == 0 ? Default : flat;
        }

        var cut = flat[..(FromMessageMaxLength - 1)];
        var space = cut.LastIndexOf(' ');
        return (space >= FromMessageMaxLength / 2 ? cut[..space] : cut).TrimEnd() + "…";
    }
}
