using System.Buffers.Text;
using System.Text;
using Billing.Application.Outcomes;

namespace Billing.Application.Tests;

/// <summary>The one page size and cursor rule of every paged listing.</summary>
public sealed class PagingTests
{
    [Theory]
    [InlineData(null, 25)]
    [InlineData(1, 1)]
    [InlineData(100, 100)]
    public void A_size_in_range_or_none_is_taken(int? limit, int expected)
    {
        var errors = new ValidationErrors();

        Assert.Equal(expected, Paging.Size(limit, 25, 100, errors));
        Assert.True(errors.IsEmpty);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(101)]
    public void A_size_out_of_range_is_a_field_error(int limit)
    {
        var errors = new ValidationErrors();

        Assert.Null(Paging.Size(limit, 25, 100, errors));
        Assert.Equal("Must be a whole number from 1 to 100.", Assert.Single(errors.For("limit")));
    }

    [Fact]
    public void A_cursor_gives_back_its_position_with_the_same_filters_and_listing()
    {
        var cursor = Paging.Next("accounts", "user|42", ("plan", "PRO"), ("q", null));
        var errors = new ValidationErrors();

        Assert.Equal("user|42", Paging.After("accounts", cursor, errors, null, ("plan", "PRO"), ("q", null)));
        Assert.Equal("user|42", Paging.After("accounts", cursor, errors, null, ("plan", "PRO"), ("q", "")));
        Assert.True(errors.IsEmpty);
        Assert.Null(Paging.After("accounts", null, errors));
        Assert.Null(Paging.After("accounts", string.Empty, errors));
        Assert.True(errors.IsEmpty);
    }

    [Theory]
    [InlineData("PRO", "x")] // another value
    [InlineData("FREE", null)]
    [InlineData("", "PRO")] // the same text under another name
    public void A_cursor_with_other_filters_is_refused(string? plan, string? q)
    {
        var cursor = Paging.Next("accounts", "user-42", ("plan", "PRO"), ("q", null));
        var errors = new ValidationErrors();

        Assert.Null(Paging.After("accounts", cursor, errors, null, ("plan", plan), ("q", q)));
        Assert.Equal(
            "This cursor was handed out with other filters: send it with the same plan, q as the page it came from, or start again without a cursor.",
            Assert.Single(errors.For("cursor")));
    }

    [Fact]
    public void With_a_filter_already_refused_only_the_cursor_shape_is_checked()
    {
        var cursor = Paging.Next("accounts", "user-42", ("plan", "PRO"));
        var errors = new ValidationErrors().Add("plan", "Unknown plan.");

        Assert.Equal("user-42", Paging.After("accounts", cursor, errors, null, ("plan", null)));
        Assert.Equal(["plan"], errors.Fields);
    }

    [Fact]
    public void A_cursor_of_another_listing_or_a_position_it_does_not_accept_is_not_a_cursor()
    {
        var cursor = Paging.Next("invoices", "2026-11-01T00:00:00|user-1:x");
        var other = new ValidationErrors();
        var rejected = new ValidationErrors();

        Assert.Null(Paging.After("accounts", cursor, other));
        Assert.Null(Paging.After("invoices", cursor, rejected, position => !position.Contains('|', StringComparison.Ordinal)));
        Assert.Equal("Not a cursor of this listing: pass the nextCursor of the previous page unchanged.", Assert.Single(other.For("cursor")));
        Assert.Equal(["cursor"], rejected.Fields);
    }

    [Theory]
    [InlineData("not a cursor")]
    [InlineData("YWNjb3VudHM")] // "accounts": no digest, no position
    [InlineData("YWNjb3VudHN8eHw")] // "accounts|x|": an empty position
    [InlineData("_w")] // 0xFF: not UTF-8
    public void Text_that_is_not_a_cursor_is_refused(string cursor)
    {
        var errors = new ValidationErrors();

        Assert.Null(Paging.After("accounts", cursor, errors));
        Assert.Equal(["cursor"], errors.Fields);
    }

    [Fact]
    public void A_cursor_without_a_position_is_not_a_cursor_even_with_the_right_digest()
    {
        var handedOut = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(Paging.Next("accounts", "user-42", ("plan", "PRO"))));
        var withoutPosition = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(handedOut[..(handedOut.LastIndexOf('|') + 1)]));
        var errors = new ValidationErrors();

        Assert.Null(Paging.After("accounts", withoutPosition, errors, null, ("plan", "PRO")));
        Assert.Equal("Not a cursor of this listing: pass the nextCursor of the previous page unchanged.", Assert.Single(errors.For("cursor")));
    }

    [Fact]
    public void Filter_values_that_would_run_together_into_the_same_text_are_other_filters()
    {
        // Without each value's length, plan "x\nq=y" with q "z" and plan "x" with q "y\nq=z" read alike.
        var cursor = Paging.Next("accounts", "user-42", ("plan", "x\nq=y"), ("q", "z"));
        var errors = new ValidationErrors();

        Assert.Null(Paging.After("accounts", cursor, errors, null, ("plan", "x"), ("q", "y\nq=z")));
        Assert.Equal(["cursor"], errors.Fields);
    }

    [Fact]
    public void A_cursor_of_exactly_1024_characters_is_read()
    {
        var prefix = Base64Url.DecodeFromChars(Paging.Next("accounts", "a")).Length - 1; // "accounts|{digest}|"
        var position = new string('a', 768 - prefix); // 768 bytes are 1024 base64url characters
        var cursor = Paging.Next("accounts", position);
        var errors = new ValidationErrors();

        Assert.Equal(1024, cursor.Length);
        Assert.Equal(position, Paging.After("accounts", cursor, errors));
        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public void A_cursor_over_1024_characters_is_refused_unread()
    {
        var tooLong = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("accounts|x|" + new string('a', 1024)));
        var errors = new ValidationErrors();

        Assert.Null(Paging.After("accounts", tooLong, errors));
        Assert.Equal(["cursor"], errors.Fields);
    }
}
