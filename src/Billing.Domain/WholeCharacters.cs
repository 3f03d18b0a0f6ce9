namespace Billing.Domain;

/// <summary>
/// Text an answer, a log or a record repeats cut to a length by whole characters: never between the two halves of a
/// surrogate pair (an emoji, say), whose lone first half every JSON writer here turns into U+FFFD, a character the text
/// never had.
/// </summary>
public static class WholeCharacters
{
    /// <summary>At most <paramref name="maxLength"/> UTF-16 code units of <paramref name="value"/>; one fewer when the last would be half a pair.</summary>
    public static string Prefix(string value, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        return value.Length <= maxLength ? value : value[..(char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength)];
    }
}
