using Billing.Cosmos.Documents;
using Billing.Domain.Plans;

namespace Billing.Cosmos.Accounts;

/// <summary>The subscription state inside the account document; <c>status</c> is Stripe's string, kept as sent.</summary>
internal sealed record SubscriptionDocument : DocumentPart
{
    public required string SubscriptionId { get; init; }

    public required string CustomerId { get; init; }

    public required string Status { get; init; }

    public string? PlanCode { get; init; }

    public string? PriceId { get; init; }

    public BillingInterval? Interval { get; init; }

    public DateTimeOffset? CurrentPeriodStart { get; init; }

    public DateTimeOffset? CurrentPeriodEnd { get; init; }

    public bool CancelAtPeriodEnd { get; init; }

    public DateTimeOffset? CancelAt { get; init; }

    public DateTimeOffset? CanceledAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public DateTimeOffset? TrialStart { get; init; }

    public DateTimeOffset? TrialEnd { get; init; }

    public string? LatestInvoiceId { get; init; }

    public DateTimeOffset? PastDueSince { get; init; }

    public required DateTimeOffset StripeStateAsOf { get; init; }

    /// <summary>The usage period this state ended early (<c>SubscriptionState.PeriodEndedEarly</c>); null when it ended none.</summary>
    public EndedPeriodDocument? PeriodEndedEarly { get; init; }
}
