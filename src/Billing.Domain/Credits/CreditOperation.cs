using Billing.Domain.Pricing;

namespace Billing.Domain.Credits;

/// <summary>A change asked of a <see cref="CreditBook"/>, identified by its idempotency <see cref="Key"/>.</summary>
public abstract record CreditOperation(string Key)
{
    /// <summary>
    /// The largest amount one grant, spend or adjustment may carry, in minor units (10^12: ten billion dollars). Well
    /// beyond any real credit, and small enough that the balance of every grant a book can hold stays exact in 64 bits.
    /// </summary>
    public const long MaxAmount = 1_000_000_000_000;

    /// <summary>
    /// Credit bought (a pack): a new grant. <paramref name="takenBack"/>: its payment was refunded or lost in a dispute
    /// before the purchase was applied, so the grant is made already taken back: its first reversal
    /// (<see cref="Reverse"/>, keyed <c>reversal:{paymentIntentId}</c>, for all of it) is applied with it in the same
    /// book write, and no book ever shows it spendable. A refund that fails later reinstates it like any other.
    /// </summary>
    public static CreditOperation Grant(string grantId, Currency currency, long amount, DateTimeOffset? expiresAt, string source, string? paymentIntentId, string? reference, bool takenBack = false)
    {
        if (takenBack && (paymentIntentId is null || reference is null))
        {
            throw new ArgumentException("A grant taken back needs the payment and the reference of its reversal.", nameof(takenBack));
        }

        return new GrantCredit("grant:" + grantId, grantId, currency, amount, expiresAt, source, paymentIntentId, reference, takenBack ? ReverseOf(paymentIntentId!, reference!, 0) : null);
    }

    /// <summary>
    /// Spend up to <paramref name="upTo"/> of the credit that can pay charges owed since <paramref name="owedAt"/> (an
    /// invoice: its period's end), soonest-expiring grant first: see <see cref="CreditGrant.IsSpendableFor"/>.
    /// </summary>
    public static CreditOperation Spend(string key, Currency currency, long upTo, DateTimeOffset owedAt, string reference) =>
        new SpendCredit(SpendKey(key), currency, upTo, owedAt, reference);

    /// <summary>The entry key of the spend <see cref="Spend"/> makes under <paramref name="key"/>.</summary>
    public static string SpendKey(string key) => "spend:" + key;

    /// <summary>
    /// Take back what is left of the grant paid by <paramref name="paymentIntentId"/> (refund, lost dispute); once per
    /// grant and <paramref name="reinstatements"/> (the grant's <see cref="CreditGrant.Reinstatements"/> when read).
    /// </summary>
    public static CreditOperation Reverse(string paymentIntentId, string reference, int reinstatements = 0) =>
        ReverseOf(paymentIntentId, reference, reinstatements);

    /// <summary>
    /// Undo the reversal of the grant paid by <paramref name="paymentIntentId"/> (every refund of the payment failed):
    /// give back what it took, unless the grant has expired since. Once per reversal (<paramref name="reinstatements"/>
    /// as for <see cref="Reverse"/>).
    /// </summary>
    public static CreditOperation Reinstate(string paymentIntentId, string reference, int reinstatements) =>
        new ReinstateGrant(Numbered("reinstatement:" + paymentIntentId, reinstatements), paymentIntentId, reference, reinstatements);

    /// <summary>
    /// Give back what <paramref name="spend"/> took (its invoice was voided), once per spend, to each grant it took from
    /// that is neither expired nor reversed; what belonged to such a grant is not given back (it would be gone by now).
    /// </summary>
    public static CreditOperation Restore(CreditEntry spend, string reference)
    {
        ArgumentNullException.ThrowIfNull(spend);
        if (spend.Kind != CreditEntryKind.Spend)
        {
            throw new ArgumentException($"Entry {spend.Key} is a {spend.Kind}, not a spend.", nameof(spend));
        }

        return new RestoreSpend("restore:" + spend.Key, spend, reference);
    }

    private static ReverseGrant ReverseOf(string paymentIntentId, string reference, int reinstatements) =>
        new(Numbered("reversal:" + paymentIntentId, reinstatements), paymentIntentId, reference, reinstatements);

    /// <summary>The first reversal keeps the key it always had; later ones are numbered.</summary>
    private static string Numbered(string key, int reinstatements) =>
        reinstatements == 0 ? key : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{key}:{reinstatements}");

    /// <summary>An operator's adjustment: positive grants (no expiry), negative takes soonest-expiring first and may not exceed the balance.</summary>
    public static CreditOperation Adjust(string key, Currency currency, long amount, string reason, string operatorId) =>
        new AdjustCredit("adjust:" + key, currency, amount, reason, operatorId);
}

/// <summary>A new grant; with <see cref="Reversal"/>, taken back in the same decision (<see cref="CreditOperation.Grant"/>).</summary>
public sealed record GrantCredit(string Key, string GrantId, Currency Currency, long Amount, DateTimeOffset? ExpiresAt, string Source, string? PaymentIntentId, string? Reference, ReverseGrant? Reversal)
    : CreditOperation(Key);

public sealed record SpendCredit(string Key, Currency Currency, long UpTo, DateTimeOffset OwedAt, string Reference) : CreditOperation(Key);

/// <summary>One PaymentIntent pays one grant, so <c>reversal:{paymentIntentId}</c> makes the reversal once per grant (numbered after a reinstatement).</summary>
public sealed record ReverseGrant(string Key, string PaymentIntentId, string Reference, int Reinstatements) : CreditOperation(Key);

public sealed record ReinstateGrant(string Key, string PaymentIntentId, string Reference, int Reinstatements) : CreditOperation(Key);

public sealed record RestoreSpend(string Key, CreditEntry Spent, string Reference) : CreditOperation(Key);

public sealed record AdjustCredit(string Key, Currency Currency, long Amount, string Reason, string Operator) : CreditOperation(Key);

/// <summary>Written by the book itself when a grant's expiry has passed.</summary>
public sealed record ExpireGrant(string GrantId) : CreditOperation("expiry:" + GrantId);
