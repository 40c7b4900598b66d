using RagFunctions.Azure.Search;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Azure.Tests.Search;

public sealed class ODataFiltersTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("o'brien", "'o''brien'")]
    [InlineData("''", "''''''")]
    [InlineData("", "''")]
    public void Quote_doubles_single_quotes(string value, string expected) => Assert.Equal(expected, ODataFilters.Quote(value));

    [Fact]
    public void No_filter_or_empty_filter_means_no_expression()
    {
        Assert.Null(ODataFilters.Build(null));
        Assert.Null(ODataFilters.Build(new SearchFilter()));
    }

    [Fact]
    public void Empty_principal_list_sees_only_unrestricted_chunks()
    {
        Assert.Equal("((not ownerIds/any() and not groupIds/any()))", ODataFilters.Build(new SearchFilter(PrincipalIds: [])));
    }

    [Fact]
    public void Principal_ids_are_quoted_and_deduplicated()
    {
        var filter = ODataFilters.Principals(["a'b", "c", "c", " "]);
        Assert.Equal("(not ownerIds/any() and not groupIds/any()) or ownerIds/any(o: search.in(o, 'a''b,c')) or groupIds/any(g: search.in(g, 'a''b,c'))", filter);
    }

    [Fact]
    public void Ids_containing_default_delimiters_use_an_explicit_one()
    {
        var filter = ODataFilters.Principals(["Contoso Admins", "x,y"]);
        Assert.Contains("search.in(o, 'Contoso Admins|x,y', '|')", filter, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ODataFilters.Principals(["a b", "c|d"]));
    }
}
