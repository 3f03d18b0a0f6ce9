using Billing.Domain.Plans;

namespace Billing.Domain.Accounts;

/// <summary>
/// The account's one open subscription Checkout Session: reused for another Checkout on exactly the same terms (plan,
/// interval, trial and redirect URLs) while it is open, expired at Stripe before a Checkout on any other terms is created.
/// </summary>
public sealed record OpenCheckout
{
    public required string SessionId { get; init; }

    public required Uri Url { get; init; }

    public required PlanCode PlanCode { get; init; }

    public required BillingInterval Interval { get; init; }

    public required string PriceId { get; init; }

    /// <summary>The trial the session grants (null: none). A session with a trial is never reused once the trial is used.</summary>
    public int? TrialDays { get; init; }

    public string? SuccessUrl { get; init; }

    public string? CancelUrl { get; init; }

    /// <summary>When Stripe expires the session (its <c>expires_at</c>).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public bool IsOpenAt(DateTimeOffset instant) => instant < ExpiresAt;

    /// <summary>Whether this session sells exactly these terms: the same plan and interval at the same Stripe price (a price changed in the catalog since is not reused), trial and return URLs.</summary>
    public bool Sells(PlanCode plan, BillingInterval interval, string priceId, int? trialDays, string successUrl, string cancelUrl) =>
        PlanCode == plan && Interval == interval && string.Equals(PriceId, priceId, StringComparison.Ordinal) && TrialDays == trialDays
        && string.Equals(SuccessUrl, successUrl, StringComparison.Ordinal) && string.Equals(CancelUrl, cancelUrl, StringComparison.Ordinal);
}
