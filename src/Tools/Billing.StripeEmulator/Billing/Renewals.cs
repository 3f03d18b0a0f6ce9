using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Billing;

/// <summary>A subscription reaching the end of its trial or period: a new period and its invoice, collected at once.</summary>
internal static class Renewals
{
    public static void Renew(Mutation m, SubscriptionRecord subscription)
    {
        var before = SubscriptionShape.ToJson(subscription, m.State);
        var price = Subscriptions.IntervalPrice(m.State, subscription);
        var previousStart = subscription.CurrentPeriodStart;
        var previousEnd = subscription.CurrentPeriodEnd;
        if (subscription.Status == "trialing")
        {
            subscription.Status = "active";
            subscription.BillingCycleAnchor = subscription.TrialEnd ?? previousEnd;
            subscription.PeriodIndex = 0;
            subscription.CurrentPeriodStart = subscription.BillingCycleAnchor;
        }
        else
        {
            subscription.PeriodIndex++;
            subscription.CurrentPeriodStart = previousEnd;
        }

        subscription.CurrentPeriodEnd = BillingPeriods.Add(subscription.BillingCycleAnchor, price.Interval!, price.IntervalCount, subscription.PeriodIndex + 1);
        if (subscription.CancelAtPeriodEnd)
        {
            subscription.CancelAt = subscription.CurrentPeriodEnd;
        }

        var customer = m.State.Customers[subscription.CustomerId];
        var invoice = Invoicing.NewDraft(m, customer, "subscription_cycle", subscription.Currency, subscription.Id, previousStart, previousEnd);
        invoice.AutoAdvance = true;
        Invoicing.AddSubscriptionLines(m, invoice, subscription, subscription.CurrentPeriodStart, subscription.CurrentPeriodEnd, trial: false);
        Invoicing.AttachPendingItems(m, invoice, item => item.SubscriptionId is null || item.SubscriptionId == subscription.Id);
        subscription.LatestInvoiceId = invoice.Id;

        Subscriptions.EmitUpdated(m, subscription, before);
        Invoicing.Issue(m, invoice, subscription);
    }
}
