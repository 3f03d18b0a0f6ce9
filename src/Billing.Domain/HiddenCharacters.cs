namespace Billing.Domain;

/// <summary>
/// Characters a person reading a value cannot see but that change what they read: control characters (line breaks
/// included) and the bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069), which reorder
/// the text around them ("Trojan Source"). Text that reaches a customer or an operator as written (an account id, an
/// adjustment's reason) holds none of them.
/// </summary>
public static class HiddenCharacters
{
    public static bool Is(char c) => char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    public static bool AnyIn(string value) => value.Any(Is);
}
