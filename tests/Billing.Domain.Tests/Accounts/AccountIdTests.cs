using Billing.Domain.Accounts;

namespace Billing.Domain.Tests.Accounts;

public sealed class AccountIdTests
{
    [Theory]
    [InlineData("user-42")]
    [InlineData("auth0|5f7c8ec7c33c6c004bbafe82")]
    [InlineData("org:acme corp")]
    [InlineData("a")]
    [InlineData("...")]
    [InlineData(".a")]
    public void Accepts_opaque_claim_values(string value)
    {
        Assert.True(AccountId.TryParse(value, out var id, out var error), error);
        Assert.Equal(value, id.Value);
    }

    [Fact]
    public void Accepts_exactly_128_characters_and_rejects_129()
    {
        Assert.True(AccountId.TryParse(new string('x', 128), out _, out _));
        Assert.False(AccountId.TryParse(new string('x', 129), out _, out var error));
        Assert.Contains("128", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a?b")]
    [InlineData("a#b")]
    [InlineData("a%ffb")]
    [InlineData("a\nb")]
    [InlineData("a\u0000b")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    public void Rejects_values_Cosmos_ids_cannot_hold(string? value)
    {
        Assert.False(AccountId.TryParse(value, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<ArgumentException>(() => AccountId.Parse(value));
    }

    [Theory]
    [InlineData("user-1\u202Egpj.exe")]
    [InlineData("\u2066admin\u2069")]
    [InlineData("a\u202Ab")]
    [InlineData("a\u2068b")]
    public void Rejects_bidirectional_overrides_that_would_reorder_the_id_an_operator_reads(string value)
    {
        Assert.False(AccountId.TryParse(value, out _, out var error));
        Assert.Contains("bidirectional", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\u05D0\u05D1-org")]
    [InlineData("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645")]
    public void Accepts_right_to_left_scripts_and_joiners_they_need(string value)
    {
        Assert.True(AccountId.TryParse(value, out _, out var error), error);
    }

    [Fact]
    public void Equality_is_by_value()
    {
        Assert.Equal(AccountId.Parse("abc"), AccountId.Parse("abc"));
        Assert.NotEqual(AccountId.Parse("abc"), AccountId.Parse("ABC"));
    }

    [Fact]
    public void Default_value_cannot_be_used()
    {
        Assert.Throws<InvalidOperationException>(() => default(AccountId).Value);
    }
}
