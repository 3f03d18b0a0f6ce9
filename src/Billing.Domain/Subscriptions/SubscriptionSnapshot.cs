using Billing.Domain.Plans;

namespace Billing.Domain.Subscriptions;

/// <summary>
/// A Stripe subscription as seen at <see cref="AsOf"/>: from an event (its <c>created</c>) or fetched from the API
/// (the fetch time). Built by the webhook processor from Stripe's object; applied with
/// <see cref="Accounts.BillingAccount.ApplySubscriptionSnapshot"/>.
/// </summary>
public sealed record SubscriptionSnapshot
{
    public required string SubscriptionId { get; init; }

    public required string CustomerId { get; init; }

    public required SubscriptionStatus Status { get; init; }

    /// <summary>The price of the subscription's (single) item.</summary>
    public string? PriceId { get; init; }

    /// <summary>The price's <c>recurring.interval</c> when it is month or year.</summary>
    public BillingInterval? Interval { get; init; }

    /// <summary>From the subscription items (<c>items.data[].current_period_start</c>).</summary>
    public DateTimeOffset? CurrentPeriodStart { get; init; }

    public DateTimeOffset? CurrentPeriodEnd { get; init; }

    public bool CancelAtPeriodEnd { get; init; }

    public DateTimeOffset? CancelAt { get; init; }

    /// <summary>When a scheduled cancellation ends it (<see cref="SubscriptionState.CancellationTime"/>); null when none is scheduled.</summary>
    public DateTimeOffset? CancelsAt => SubscriptionState.CancellationTime(CancelAtPeriodEnd, CurrentPeriodEnd, CancelAt);

    public DateTimeOffset? CanceledAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public DateTimeOffset? TrialStart { get; init; }

    public DateTimeOffset? TrialEnd { get; init; }

    public string? LatestInvoiceId { get; init; }

    /// <summary>When Stripe created the subscription (<c>created</c>); orders two live subscriptions of one account.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>The Stripe time this snapshot reflects: the event's <c>created</c>, or when the object was fetched.</summary>
    public required DateTimeOffset AsOf { get; init; }
}
