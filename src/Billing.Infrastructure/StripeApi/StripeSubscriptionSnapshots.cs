using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.Infrastructure.StripeApi;

/// <summary>Maps Stripe.net's <see cref="Stripe.Subscription"/> to the domain's <see cref="SubscriptionSnapshot"/>.</summary>
public static class StripeSubscriptionSnapshots
{
    /// <param name="subscription">As Stripe returned it.</param>
    /// <param name="asOf">The Stripe time it reflects: when the read began.</param>
    /// <exception cref="InvalidOperationException">The object lacks a status or a customer.</exception>
    public static SubscriptionSnapshot FromStripe(Stripe.Subscription subscription, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var customerId = subscription.CustomerId is { Length: > 0 } customer ? customer : throw new InvalidOperationException($"Subscription {subscription.Id} has no customer.");
        var status = subscription.Status is { Length: > 0 } value ? SubscriptionStatus.From(value) : throw new InvalidOperationException($"Subscription {subscription.Id} has no status.");
        var items = subscription.Items?.Data ?? [];
        var item = items.Count > 0 ? items[0] : null;
        var (periodStart, periodEnd, earliestEnd) = CurrentPeriod(items);
        return new SubscriptionSnapshot
        {
            SubscriptionId = subscription.Id,
            CustomerId = customerId,
            Status = status,
            PriceId = item?.Price?.Id,
            Interval = IntervalOf(item?.Price?.Recurring?.Interval, item?.Price?.Recurring?.IntervalCount),
            Items =
            [
                .. items.Where(i => i.Price?.Id is { Length: > 0 }).Select(i => new SubscriptionItemPrice(i.Price.Id, IntervalOf(i.Price.Recurring?.Interval, i.Price.Recurring?.IntervalCount))
                {
                    PeriodStart = Utc(i.CurrentPeriodStart),
                    PeriodEnd = Utc(i.CurrentPeriodEnd),
                }),
            ],
            CurrentPeriodStart = periodStart,
            CurrentPeriodEnd = periodEnd,
            CancelAtPeriodEnd = subscription.CancelAtPeriodEnd,
            CancelAt = CancelAt(Utc(subscription.CancelAt), subscription.CancelAtPeriodEnd, earliestEnd, periodEnd),
            CanceledAt = Utc(subscription.CanceledAt),
            EndedAt = Utc(subscription.EndedAt),
            TrialStart = Utc(subscription.TrialStart),
            TrialEnd = Utc(subscription.TrialEnd),
            LatestInvoiceId = subscription.LatestInvoiceId,
            Created = Utc(subscription.Created),
            AsOf = asOf,
        };
    }

    /// <summary>
    /// Since 2025-03-31.basil the period lives on the items: the earliest start and the latest end, and the earliest end
    /// too. Items usually share one period; a mixed-interval subscription (flexible billing mode: a yearly fee beside a
    /// monthly plan) has one per item. Stripe.net reads an absent item period as 1970-01-01: that counts as none.
    /// </summary>
    private static (DateTimeOffset? Start, DateTimeOffset? End, DateTimeOffset? EarliestEnd) CurrentPeriod(IEnumerable<Stripe.SubscriptionItem> items)
    {
        DateTimeOffset? start = null;
        DateTimeOffset? end = null;
        DateTimeOffset? earliestEnd = null;
        foreach (var item in items)
        {
            if (Utc(item.CurrentPeriodStart) is { } itemStart && (start is null || itemStart < start))
            {
                start = itemStart;
            }

            if (Utc(item.CurrentPeriodEnd) is { } itemEnd)
            {
                end = end is null || itemEnd > end ? itemEnd : end;
                earliestEnd = earliestEnd is null || itemEnd < earliestEnd ? itemEnd : earliestEnd;
            }
        }

        return (start, end, earliestEnd);
    }

    /// <summary>
    /// When Stripe cancels it: its <c>cancel_at</c>, and with <c>cancel_at_period_end</c> on items whose periods end at
    /// different times (mixed intervals) the earliest item period end, which is where Stripe resolves it ("always resolves
    /// to the earliest item period end"), while <c>cancel_at</c> stays null and the period read above ends with the
    /// latest item. Items sharing one period leave <c>cancel_at</c> as Stripe has it (the period end covers it).
    /// </summary>
    private static DateTimeOffset? CancelAt(DateTimeOffset? cancelAt, bool cancelAtPeriodEnd, DateTimeOffset? earliestEnd, DateTimeOffset? latestEnd) =>
        cancelAtPeriodEnd && earliestEnd is { } earliest && earliest < latestEnd && !(cancelAt <= earliest) ? earliest : cancelAt;

    /// <summary>Stripe.net's timestamps are UTC <see cref="DateTime"/>s; the Unix epoch means "absent".</summary>
    internal static DateTimeOffset? Utc(DateTime? value) =>
        value is { } time && time > DateTime.UnixEpoch ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : null;

    private static BillingInterval? IntervalOf(string? interval, long? count) => (interval, count ?? 1) switch
    {
        ("month", 1) => BillingInterval.Month,
        ("year", 1) => BillingInterval.Year,
        _ => null,
    };
}
