using Billing.Domain.Subscriptions;

namespace Billing.Application.Tests.Fakes;

/// <summary>A subscription as the fake Stripe holds it now (monthly prices only).</summary>
internal sealed class FakeStripeSubscription
{
    public required string Id { get; init; }

    public required string CustomerId { get; init; }

    /// <summary>Null: Stripe's answer did not say (the app then orders by the period start).</summary>
    public required DateTimeOffset? Created { get; set; }

    /// <summary>The <c>account_id</c> metadata copied from <c>subscription_data.metadata</c>, when the session had it.</summary>
    public string? AccountId { get; init; }

    public SubscriptionStatus Status { get; set; } = SubscriptionStatus.Active;

    public required string PriceId { get; set; }

    public DateTimeOffset PeriodStart { get; set; }

    public DateTimeOffset PeriodEnd { get; set; }

    public bool CancelAtPeriodEnd { get; set; }

    public DateTimeOffset? CancelAt { get; set; }

    public DateTimeOffset? CanceledAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public DateTimeOffset? TrialStart { get; set; }

    public DateTimeOffset? TrialEnd { get; set; }

    public string? LatestInvoiceId { get; set; }

    public SubscriptionSnapshot ToSnapshot(DateTimeOffset asOf) => new()
    {
        SubscriptionId = Id,
        CustomerId = CustomerId,
        Status = Status,
        PriceId = PriceId,
        Interval = Billing.Domain.Plans.BillingInterval.Month,
        CurrentPeriodStart = PeriodStart,
        CurrentPeriodEnd = PeriodEnd,
        CancelAtPeriodEnd = CancelAtPeriodEnd,
        CancelAt = CancelAt,
        CanceledAt = CanceledAt,
        EndedAt = EndedAt,
        TrialStart = TrialStart,
        TrialEnd = TrialEnd,
        LatestInvoiceId = LatestInvoiceId,
        Created = Created,
        AsOf = asOf,
    };
}
