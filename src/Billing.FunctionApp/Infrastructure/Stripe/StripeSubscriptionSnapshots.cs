using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.Stripe.Subscriptions;

namespace Billing.FunctionApp.Infrastructure.Stripe;

/// <summary>Maps Stripe's subscription object to the domain's <see cref="SubscriptionSnapshot"/>.</summary>
public static class StripeSubscriptionSnapshots
{
    /// <param name="subscription">As Stripe returned it.</param>
    /// <param name="asOf">The Stripe time it reflects: when the read began.</param>
    /// <exception cref="InvalidOperationException">The object lacks a status or a customer.</exception>
    public static SubscriptionSnapshot FromStripe(StripeSubscription subscription, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var customerId = subscription.Customer?.Id ?? throw new InvalidOperationException($"Subscription {subscription.Id} has no customer.");
        var status = subscription.Status is { Length: > 0 } value ? SubscriptionStatus.From(value) : throw new InvalidOperationException($"Subscription {subscription.Id} has no status.");
        var item = subscription.Items is { Data.Count: > 0 } items ? items.Data[0] : null;
        var period = subscription.CurrentPeriod;
        return new SubscriptionSnapshot
        {
            SubscriptionId = subscription.Id,
            CustomerId = customerId,
            Status = status,
            PriceId = item?.Price?.Id,
            Interval = IntervalOf(item?.Price?.Recurring?.Interval, item?.Price?.Recurring?.IntervalCount),
            CurrentPeriodStart = period?.Start,
            CurrentPeriodEnd = period?.End,
            CancelAtPeriodEnd = subscription.CancelAtPeriodEnd,
            CancelAt = subscription.CancelAt,
            CanceledAt = subscription.CanceledAt,
            EndedAt = subscription.EndedAt,
            TrialStart = subscription.TrialStart,
            TrialEnd = subscription.TrialEnd,
            LatestInvoiceId = subscription.LatestInvoice?.Id,
            AsOf = asOf,
        };
    }

    private static BillingInterval? IntervalOf(string? interval, int? count) => (interval, count ?? 1) switch
    {
        ("month", 1) => BillingInterval.Month,
        ("year", 1) => BillingInterval.Year,
        _ => null,
    };
}
