using RagFunctions.Core.Common;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Core.Tests.Ingestion;

public sealed class BlobEventSubjectsTests
{
    [Theory]
    [InlineData("/blobServices/default/containers/documents/blobs/guide.md", "guide.md")]
    [InlineData("/blobServices/default/containers/documents/blobs/team/2026/plan v2.pdf", "team/2026/plan v2.pdf")]
    [InlineData("/blobServices/default/containers/documents/blobs/100%25 sure.txt", "100%25 sure.txt")]
    [InlineData("/blobServices/default/containers/documents/blobs/blobs/nested.txt", "blobs/nested.txt")]
    public void A_blob_subject_of_the_container_yields_its_path_verbatim(string subject, string expected)
    {
        Assert.True(BlobEventSubjects.TryGetBlobPath(subject, "documents", out var path));
        Assert.Equal(expected, path);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/blobServices/default/containers/other/blobs/guide.md")]
    [InlineData("/blobServices/default/containers/documents-archive/blobs/guide.md")]
    [InlineData("/blobServices/default/containers/Documents/blobs/guide.md")]
    [InlineData("/blobServices/default/containers/documents")]
    [InlineData("/blobServices/default/containers/documents/blobs/")]
    [InlineData("/blobServices/default/containers/documents/blobs/   ")]
    [InlineData("/fileServices/default/shares/documents/files/guide.md")]
    [InlineData("blobServices/default/containers/documents/blobs/guide.md")]
    public void Anything_else_is_not_a_blob_of_the_container(string? subject)
    {
        Assert.False(BlobEventSubjects.TryGetBlobPath(subject, "documents", out var path));
        Assert.Equal("", path);
    }

    [Fact]
    public void The_deleted_blob_maps_to_the_same_document_as_the_blob_trigger_name()
    {
        // The blob trigger sees {name} = "team/plan.pdf"; the delete event must remove exactly that document.
        Assert.True(BlobEventSubjects.TryGetBlobPath("/blobServices/default/containers/documents/blobs/team/plan.pdf", "documents", out var path));
        Assert.Equal(DocumentIds.FromSourcePath("team/plan.pdf"), DocumentIds.FromSourcePath(path));
    }

    [Theory]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("C:\\Users\\alice\\report.pdf", "report.pdf")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData(".hidden.md", "hidden.md")]
    [InlineData("a:b*c?.txt", "a_b_c_.txt")]
    [InlineData("tab\there.txt", "tab_here.txt")]
    public void Upload_names_keep_the_last_segment_without_unsafe_characters(string uploaded, string expected) =>
        Assert.Equal(expected, UploadFileNames.Sanitize(uploaded));

    [Fact]
    public void Upload_names_are_capped_in_length()
    {
        var name = UploadFileNames.Sanitize(new string('x', 500) + ".txt");
        Assert.Equal(UploadFileNames.MaxLength, name.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("folder/")]
    [InlineData("...")]
    public void Upload_names_with_nothing_usable_are_a_validation_problem(string uploaded) =>
        Assert.Throws<ValidationProblemException>(() => UploadFileNames.Sanitize(uploaded));
}
