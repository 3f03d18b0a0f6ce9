using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Billing;

/// <summary>Creating, re-stating and cancelling subscriptions, each change raising the event Stripe raises.</summary>
internal static class Subscriptions
{
    public const long TrialWillEndNotice = 3 * 86400;

    /// <summary>
    /// A new subscription (no event yet): trialing until <paramref name="trialEnd"/> (its billing cycle anchor), else
    /// active from now.
    /// </summary>
    public static SubscriptionRecord Create(Mutation m, CustomerRecord customer, IEnumerable<(string PriceId, long Quantity)> items, long? trialEnd, IReadOnlyDictionary<string, string> metadata, string? description)
    {
        var itemRecords = items
            .Select(item => new SubscriptionItemRecord { Id = IdGenerator.New("si", 14), Created = m.Now, PriceId = item.PriceId, Quantity = item.Quantity })
            .ToList();
        var first = m.State.Prices[itemRecords[0].PriceId];
        var trialing = trialEnd > m.Now;
        var anchor = trialing ? trialEnd!.Value : m.Now;
        var subscription = new SubscriptionRecord
        {
            Id = IdGenerator.New("sub"),
            Created = m.Now,
            CustomerId = customer.Id,
            Status = trialing ? "trialing" : "active",
            Currency = first.Currency,
            Items = itemRecords,
            StartDate = m.Now,
            BillingCycleAnchor = anchor,
            CurrentPeriodStart = m.Now,
            CurrentPeriodEnd = trialing ? anchor : BillingPeriods.Add(anchor, first.Interval!, first.IntervalCount, 1),
            TrialStart = trialing ? m.Now : null,
            TrialEnd = trialing ? anchor : null,
            Description = description,
            DefaultPaymentMethod = customer.DefaultPaymentMethod,
        };
        foreach (var (key, value) in metadata)
        {
            subscription.Metadata[key] = value;
        }

        m.State.Add(m.State.Subscriptions, subscription);
        customer.Currency ??= subscription.Currency;
        return subscription;
    }

    /// <summary>The recurring price that sets the subscription's interval.</summary>
    public static PriceRecord IntervalPrice(EmulatorState state, SubscriptionRecord subscription) =>
        state.Prices[subscription.Items[0].PriceId];

    public static void ChangeStatus(Mutation m, SubscriptionRecord subscription, string status)
    {
        var before = SubscriptionShape.ToJson(subscription, m.State);
        subscription.Status = status;
        EmitUpdated(m, subscription, before);
    }

    /// <summary>`customer.subscription.updated` with previous_attributes, when anything changed.</summary>
    public static void EmitUpdated(Mutation m, SubscriptionRecord subscription, System.Text.Json.Nodes.JsonObject before)
    {
        var after = SubscriptionShape.ToJson(subscription, m.State);
        var previous = PreviousAttributes.Diff(before, after);
        if (previous is not null)
        {
            m.Emit("customer.subscription.updated", after, previous);
        }
    }

    /// <summary>Ends the subscription now (`DELETE /v1/subscriptions/{id}`, portal "cancel now", cancel_at reached).</summary>
    public static void Cancel(Mutation m, SubscriptionRecord subscription, string reason, long? canceledAt = null)
    {
        if (!subscription.IsLive)
        {
            throw StripeApiException.InvalidRequest("This subscription has already been canceled and can no longer be changed.", null);
        }

        subscription.Status = "canceled";
        subscription.CanceledAt = canceledAt ?? m.Now;
        subscription.EndedAt = m.Now;
        subscription.CancellationReason ??= reason;
        m.Emit("customer.subscription.deleted", SubscriptionShape.ToJson(subscription, m.State));
    }

    /// <summary>
    /// `DELETE /v1/subscriptions/{id}`: cancels now. With <paramref name="prorate"/>, a paid, mid-period subscription
    /// gets a credit for the unused time (pending proration items); with <paramref name="invoiceNow"/>, the
    /// subscription's pending items go on a final invoice that is finalized and charged (a credit owes nothing).
    /// </summary>
    public static void CancelNow(Mutation m, SubscriptionRecord subscription, bool prorate, bool invoiceNow)
    {
        if (!subscription.IsLive)
        {
            // Stripe answers a cancel of a canceled subscription as it does an unknown id (404 resource_missing, "No such
            // subscription"), though a GET still reads it.
            throw StripeApiException.NoSuchObject("subscription", subscription.Id);
        }

        if (prorate && subscription.Status is "active" or "past_due" && m.Now < subscription.CurrentPeriodEnd)
        {
            foreach (var item in subscription.Items)
            {
                Prorations.Credit(m, subscription, m.State.Prices[item.PriceId], item.Quantity);
            }
        }

        Cancel(m, subscription, "cancellation_requested");
        var pending = m.State.InvoiceItems.Values.Any(i => i.InvoiceId is null && i.SubscriptionId == subscription.Id);
        if (!invoiceNow || !pending)
        {
            return;
        }

        var customer = m.State.Customers[subscription.CustomerId];
        var invoice = Invoicing.NewDraft(m, customer, "subscription_update", subscription.Currency, subscription.Id);
        Invoicing.AttachPendingItems(m, invoice, item => item.SubscriptionId == subscription.Id);
        subscription.LatestInvoiceId = invoice.Id;
        Invoicing.Issue(m, invoice, subscription);
    }

    /// <summary>`cancel_at_period_end`: true schedules the end at the current period's end, false takes it back.</summary>
    public static void SetCancelAtPeriodEnd(Mutation m, SubscriptionRecord subscription, bool cancel, string? feedback = null, string? comment = null)
    {
        subscription.CancelAtPeriodEnd = cancel;
        if (cancel)
        {
            subscription.CancelAt = subscription.CurrentPeriodEnd;
            subscription.CanceledAt = m.Now;
            subscription.CancellationReason = "cancellation_requested";
            subscription.CancellationFeedback = feedback ?? subscription.CancellationFeedback;
            subscription.CancellationComment = comment ?? subscription.CancellationComment;
        }
        else
        {
            subscription.CancelAt = null;
            subscription.CanceledAt = null;
            subscription.CancellationReason = null;
            subscription.CancellationFeedback = null;
            subscription.CancellationComment = null;
        }
    }

    /// <summary>`pause_collection[resumes_at]` reached: the pause is cleared (`customer.subscription.updated`).</summary>
    public static void ResumeCollection(Mutation m, SubscriptionRecord subscription)
    {
        var before = SubscriptionShape.ToJson(subscription, m.State);
        subscription.PauseBehavior = null;
        subscription.PauseResumesAt = null;
        EmitUpdated(m, subscription, before);
    }

    /// <summary>The customer's one live subscription, or the one named.</summary>
    public static SubscriptionRecord ForCustomer(EmulatorState state, string customerId, string? subscriptionId)
    {
        if (subscriptionId is not null)
        {
            var named = Lookup.Subscription(state, subscriptionId, "subscription");
            return named.CustomerId == customerId
                ? named
                : throw StripeApiException.InvalidRequest($"Subscription {subscriptionId} does not belong to customer {customerId}.", "subscription");
        }

        var live = state.Subscriptions.Values.Where(s => s.CustomerId == customerId && s.IsLive).OrderBy(s => s.Sequence).ToList();
        return live.Count switch
        {
            0 => throw StripeApiException.InvalidRequest($"Customer {customerId} has no active subscription.", "customer"),
            1 => live[0],
            _ => throw StripeApiException.InvalidRequest($"Customer {customerId} has {live.Count} subscriptions: pass `subscription`.", "subscription"),
        };
    }
}
