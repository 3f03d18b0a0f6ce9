namespace Billing.Domain.Tests;

public sealed class WholeCharactersTests
{
    [Theory]
    [InlineData("abc", 3, "abc")]
    [InlineData("abcd", 3, "abc")]
    [InlineData("ab\U0001F600", 3, "ab")]
    [InlineData("ab\U0001F600", 4, "ab\U0001F600")]
    [InlineData("a\U0001F600x", 3, "a\U0001F600")]
    [InlineData("\U0001F600", 1, "")]
    public void A_prefix_is_at_most_the_length_and_never_half_a_pair(string value, int maxLength, string expected) =>
        Assert.Equal(expected, WholeCharacters.Prefix(value, maxLength));
}
