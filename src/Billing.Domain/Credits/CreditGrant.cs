using Billing.Domain.Pricing;

namespace Billing.Domain.Credits;

/// <summary>
/// One grant of prepaid credit and what is left of it. Spends, expiry, reversals and negative adjustments take from
/// <see cref="Remaining"/>; a grant is never removed, so a refund can still find it by <see cref="PaymentIntentId"/>.
/// </summary>
public sealed record CreditGrant
{
    /// <summary>Derived from its cause: <c>cs:{checkoutSessionId}</c> for a purchase, the adjustment's key for an operator's grant.</summary>
    public required string GrantId { get; init; }

    public required Currency Currency { get; init; }

    /// <summary>Minor units granted (positive).</summary>
    public required long Amount { get; init; }

    /// <summary>Minor units still spendable (0..Amount).</summary>
    public required long Remaining { get; init; }

    public required DateTimeOffset GrantedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>What granted it: <c>pack:{code}</c> or <c>adjustment</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The Stripe PaymentIntent that paid for it (refunds and disputes find the grant by it).</summary>
    public string? PaymentIntentId { get; init; }

    /// <summary>
    /// When its payment was taken back (refund, lost dispute): no spend is given back to it while it is. Cleared when
    /// every refund of the payment failed afterwards (<see cref="Reinstatements"/>).
    /// </summary>
    public DateTimeOffset? ReversedAt { get; init; }

    /// <summary>What the reversal in force took from it: given back if the payment's refund fails.</summary>
    public long ReversedAmount { get; init; }

    /// <summary>
    /// How many reversals of it were undone because the refund failed. Numbers the next reversal and reinstatement, so
    /// each is applied once, and a later refund of the same payment takes the credit back again.
    /// </summary>
    public int Reinstatements { get; init; }

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expiresAt && now >= expiresAt;

    /// <summary>
    /// Whether it can pay, at <paramref name="now"/>, charges in <paramref name="currency"/> owed since
    /// <paramref name="owedAt"/> (an invoice: the end of its period; anything owed now: <paramref name="now"/>). Credit
    /// held then counts if it had not expired by then, however late the payment is made; credit granted since counts if
    /// it has not expired by now.
    /// </summary>
    public bool IsSpendableFor(DateTimeOffset owedAt, DateTimeOffset now, Currency currency) =>
        Remaining > 0 && Currency == currency && !IsExpiredAt(GrantedAt <= owedAt ? owedAt : now);
}
