namespace Billing.Domain.Subscriptions;

/// <summary>
/// Checks for Stripe object ids (<c>cus_...</c>, <c>sub_...</c>, <c>evt_...</c>). They are opaque, but some are
/// stored as Cosmos DB ids, so they must be 1..255 characters without white space, control characters or <c>/ \ ? #</c>.
/// </summary>
public static class StripeIds
{
    public const int MaxLength = 255;

    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) &&
        id.Length <= MaxLength &&
        !id.Any(c => c is '/' or '\\' or '?' or '#' || char.IsWhiteSpace(c) || char.IsControl(c));

    public static void EnsureValid(string? id, string paramName)
    {
        if (!IsValid(id))
        {
            throw new ArgumentException($"'{id}' is not a Stripe id (1..{MaxLength} characters, no white space or '/', '\\', '?', '#').", paramName);
        }
    }
}
