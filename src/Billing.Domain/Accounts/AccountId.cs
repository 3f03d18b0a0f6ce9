namespace Billing.Domain.Accounts;

/// <summary>
/// The id of a tenant's billing account, taken from a JWT claim (<c>sub</c> by default, an organisation claim for B2B).
/// It is opaque to billing, but it is also a Cosmos DB partition key and part of document ids, so it is limited to
/// 1..128 characters without <c>/ \ ? # %</c>, control characters, bidirectional overrides
/// (<see cref="HiddenCharacters"/>: operators read ids in their views) or leading/trailing white space, and neither <c>.</c>
/// nor <c>..</c>. (<c>%</c>, <c>.</c> and <c>..</c>: ids travel in request paths, where a percent sign is read as an escape
/// and a dot segment is resolved away.)
/// </summary>
public readonly record struct AccountId
{
    public const int MaxLength = 128;

    private readonly string? _value;

    private AccountId(string value) => _value = value;

    /// <summary>The id as received from the token.</summary>
    public string Value => _value ?? throw new InvalidOperationException("An AccountId was used without being parsed (default value).");

    public static AccountId Parse(string? value) =>
        TryParse(value, out var accountId, out var error) ? accountId : throw new ArgumentException(error, nameof(value));

    public static bool TryParse(string? value, out AccountId accountId, out string? error)
    {
        accountId = default;
        error = Validate(value);
        if (error is not null)
        {
            return false;
        }

        accountId = new AccountId(value!);
        return true;
    }

    public override string ToString() => _value ?? string.Empty;

    private static string? Validate(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "An account id must not be empty.";
        }

        if (value.Length > MaxLength)
        {
            return $"An account id must be at most {MaxLength} characters long (got {value.Length}).";
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            return "An account id must not start or end with white space.";
        }

        if (value is "." or "..")
        {
            return "An account id must not be '.' or '..' (a request path cannot carry it: it names the folder itself or its parent).";
        }

        foreach (var c in value)
        {
            if (c is '/' or '\\' or '?' or '#' or '%' || char.IsControl(c))
            {
                return "An account id must not contain '/', '\\', '?', '#', '%' or control characters (Cosmos DB ids and request paths cannot carry them).";
            }

            if (HiddenCharacters.Is(c))
            {
                return "An account id must not contain bidirectional embeddings, overrides or isolates (U+202A..U+202E, U+2066..U+2069): operators read it as written.";
            }
        }

        return null;
    }
}
