using System.Text.Json.Serialization;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.Invoices;

namespace Billing.Stripe.Subscriptions;

/// <summary>A subscription (<c>object: "subscription"</c>). Since 2025-03-31.basil the billing period lives on the
/// items: use <see cref="CurrentPeriod"/>.</summary>
public sealed record StripeSubscription : IStripeEntity
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public StripeExpandable<StripeCustomer>? Customer { get; init; }

    /// <summary>See <see cref="StripeSubscriptionStatuses"/>.</summary>
    public string? Status { get; init; }

    public StripeList<StripeSubscriptionItem>? Items { get; init; }

    public bool CancelAtPeriodEnd { get; init; }

    public DateTimeOffset? CancelAt { get; init; }

    public DateTimeOffset? CanceledAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public StripeCancellationDetails? CancellationDetails { get; init; }

    public DateTimeOffset? Created { get; init; }

    public DateTimeOffset? StartDate { get; init; }

    public DateTimeOffset? BillingCycleAnchor { get; init; }

    public DateTimeOffset? TrialStart { get; init; }

    public DateTimeOffset? TrialEnd { get; init; }

    public string? Currency { get; init; }

    /// <summary>charge_automatically or send_invoice.</summary>
    public string? CollectionMethod { get; init; }

    public StripeExpandable<StripeInvoice>? LatestInvoice { get; init; }

    public StripeExpandable<StripeObjectReference>? DefaultPaymentMethod { get; init; }

    public string? Description { get; init; }

    public string? TestClock { get; init; }

    public bool Livemode { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The subscription's current billing period, derived from its items (dahlia shape:
    /// <c>items.data[].current_period_start/end</c>): earliest item start to latest item end. With the classic
    /// billing mode all items share one period. Null when no item carries a period.</summary>
    [JsonIgnore]
    public StripePeriod? CurrentPeriod
    {
        get
        {
            DateTimeOffset? start = null;
            DateTimeOffset? end = null;
            foreach (var item in Items?.Data ?? [])
            {
                if (item.CurrentPeriodStart is { } itemStart && (start is null || itemStart < start))
                {
                    start = itemStart;
                }

                if (item.CurrentPeriodEnd is { } itemEnd && (end is null || itemEnd > end))
                {
                    end = itemEnd;
                }
            }

            return start is { } s && end is { } e ? new StripePeriod { Start = s, End = e } : null;
        }
    }
}
