using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Billing;

/// <summary>
/// Applies a <see cref="SubscriptionChange"/> the way Stripe's classic billing mode does: item changes keep the
/// period and create prorations (pending, or invoiced at once with always_invoice); a change of interval, or
/// `billing_cycle_anchor=now`, restarts the period now (the new billing cycle anchor), credits the unused time of the
/// old one (unless proration_behavior=none) and invoices at once. Raises `customer.subscription.updated` with previous_attributes.
/// </summary>
internal static class SubscriptionUpdates
{
    public static void Apply(Mutation m, SubscriptionRecord subscription, SubscriptionChange change)
    {
        if (!subscription.IsLive)
        {
            if (change.Items.Count > 0 || change.CancelAtPeriodEnd is not null || change.TrialEnd is not null || change.PauseCollection is not null)
            {
                throw StripeApiException.InvalidRequest("A canceled subscription can only update its cancellation_details and metadata.", null);
            }
        }

        if (change.TrialEnd is { } requestedTrialEnd)
        {
            if (subscription.Status != "trialing")
            {
                // Stripe puts an active subscription into a trial until trial_end (no charge until then); not modelled, so
                // refused rather than ignored.
                throw StripeApiException.InvalidRequest($"The emulator moves or ends the trial of a trialing subscription only; it does not model starting a trial on a {subscription.Status} one.", "trial_end");
            }

            if (requestedTrialEnd != 0 && requestedTrialEnd <= m.Now)
            {
                // Stripe's answer to a trial_end in the past (ending a trial now is `trial_end=now`).
                throw StripeApiException.InvalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.", "trial_end", "parameter_invalid_integer");
            }
        }

        if (change.ResetBillingCycleAnchor && subscription.Status is not ("active" or "past_due"))
        {
            // Not modelled: Stripe's reset during a trial or of an unpaid subscription (end a trial with trial_end=now).
            throw StripeApiException.InvalidRequest($"The emulator resets the billing cycle anchor of active or past_due subscriptions only; this one is {subscription.Status}.", "billing_cycle_anchor");
        }

        if (change.PauseCollection?.ResumesAt <= m.Now)
        {
            throw StripeApiException.InvalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.", "pause_collection[resumes_at]");
        }

        var before = SubscriptionShape.ToJson(subscription, m.State);
        var oldItems = subscription.Items.Select(i => (i.Id, i.PriceId, i.Quantity)).ToList();
        var oldPrice = Subscriptions.IntervalPrice(m.State, subscription);
        var newItems = PlanItems(m, subscription, change.Items);

        ValidateItems(m.State, newItems, subscription.Currency);

        subscription.Items.Clear();
        subscription.Items.AddRange(newItems);
        change.Metadata?.ApplyTo(subscription.Metadata);
        if (change.Description is not null)
        {
            subscription.Description = change.Description.Length == 0 ? null : change.Description;
        }

        if (change.DefaultPaymentMethod is not null)
        {
            subscription.DefaultPaymentMethod = change.DefaultPaymentMethod;
        }

        if (change.CollectionMethod is not null)
        {
            subscription.CollectionMethod = change.CollectionMethod;
            subscription.DaysUntilDue = change.DaysUntilDue;
        }

        if (change.PauseCollection is { } pause)
        {
            subscription.PauseBehavior = pause.Behavior;
            subscription.PauseResumesAt = pause.Behavior is null ? null : pause.ResumesAt;
        }

        if (change.CancelAtPeriodEnd is { } cancel)
        {
            Subscriptions.SetCancelAtPeriodEnd(m, subscription, cancel, change.CancellationFeedback, change.CancellationComment);
        }
        else
        {
            // cancellation_details on their own (a canceled subscription's reasons given afterwards, or any update): stored.
            subscription.CancellationFeedback = change.CancellationFeedback ?? subscription.CancellationFeedback;
            subscription.CancellationComment = change.CancellationComment ?? subscription.CancellationComment;
        }

        if (change.TrialEnd is { } trialEnd && subscription.Status == "trialing")
        {
            subscription.TrialEnd = Math.Max(trialEnd, m.Now);
            subscription.CurrentPeriodEnd = subscription.TrialEnd.Value;
            subscription.BillingCycleAnchor = subscription.TrialEnd.Value;
            if (subscription.CancelAtPeriodEnd)
            {
                subscription.CancelAt = subscription.CurrentPeriodEnd;
            }
        }

        var newPrice = Subscriptions.IntervalPrice(m.State, subscription);
        var intervalChanged = newPrice.Interval != oldPrice.Interval || newPrice.IntervalCount != oldPrice.IntervalCount;
        var itemsChanged = !oldItems.SequenceEqual(subscription.Items.Select(i => (i.Id, i.PriceId, i.Quantity)));
        var billable = subscription.Status is "active" or "past_due";

        InvoiceRecord? invoice = null;
        if (billable && ((itemsChanged && intervalChanged) || change.ResetBillingCycleAnchor))
        {
            if (change.ProrationBehavior != "none")
            {
                CreditUnused(m, subscription, oldItems, all: change.ResetBillingCycleAnchor);
            }

            subscription.BillingCycleAnchor = m.Now;
            subscription.PeriodIndex = 0;
            subscription.CurrentPeriodStart = m.Now;
            subscription.CurrentPeriodEnd = BillingPeriods.Add(m.Now, newPrice.Interval!, newPrice.IntervalCount, 1);
            if (subscription.CancelAtPeriodEnd)
            {
                subscription.CancelAt = subscription.CurrentPeriodEnd;
            }

            invoice = NewUpdateInvoice(m, subscription, withSubscriptionLines: true);
        }
        else if (itemsChanged && billable && change.ProrationBehavior != "none")
        {
            CreditUnused(m, subscription, oldItems);
            ChargeRemaining(m, subscription, oldItems);
            if (change.ProrationBehavior == "always_invoice")
            {
                invoice = NewUpdateInvoice(m, subscription, withSubscriptionLines: false);
            }
        }

        if (invoice is not null)
        {
            subscription.LatestInvoiceId = invoice.Id;
        }

        Subscriptions.EmitUpdated(m, subscription, before);
        if (invoice is not null)
        {
            Invoicing.Issue(m, invoice, subscription);
        }
    }

    private static List<SubscriptionItemRecord> PlanItems(Mutation m, SubscriptionRecord subscription, IReadOnlyList<ItemChange> changes)
    {
        var items = subscription.Items.Select(Copy).ToList();
        foreach (var change in changes)
        {
            if (change.Id is not null)
            {
                var item = items.Find(i => i.Id == change.Id)
                    ?? throw StripeApiException.NoSuchReference("subscription item", change.Id, $"{change.Param}[id]");
                if (change.Deleted)
                {
                    items.Remove(item);
                    continue;
                }

                if (change.PriceId is not null)
                {
                    item.PriceId = Lookup.Price(m.State, change.PriceId, $"{change.Param}[price]").Id;
                }

                if (change.Quantity is { } quantity)
                {
                    item.Quantity = quantity;
                }

                change.Metadata?.ApplyTo(item.Metadata);
            }
            else
            {
                if (change.Deleted)
                {
                    throw StripeApiException.ParameterMissing($"{change.Param}[id]");
                }

                var priceId = change.PriceId ?? throw StripeApiException.ParameterMissing($"{change.Param}[price]");
                var price = Lookup.Price(m.State, priceId, $"{change.Param}[price]");
                var added = new SubscriptionItemRecord { Id = IdGenerator.New("si", 14), Created = m.Now, PriceId = price.Id, Quantity = change.Quantity ?? 1 };
                change.Metadata?.ApplyTo(added.Metadata);
                items.Add(added);
            }
        }

        return items;
    }

    private static SubscriptionItemRecord Copy(SubscriptionItemRecord item)
    {
        var copy = new SubscriptionItemRecord { Id = item.Id, Created = item.Created, PriceId = item.PriceId, Quantity = item.Quantity };
        foreach (var (key, value) in item.Metadata)
        {
            copy.Metadata[key] = value;
        }

        return copy;
    }

    private static void ValidateItems(EmulatorState state, List<SubscriptionItemRecord> items, string currency)
    {
        if (items.Count == 0)
        {
            throw StripeApiException.InvalidRequest("A subscription must have at least one active plan. To cancel a subscription, send a DELETE request instead.", "items");
        }

        var first = state.Prices[items[0].PriceId];
        foreach (var item in items)
        {
            var price = state.Prices[item.PriceId];
            if (!price.IsRecurring)
            {
                throw StripeApiException.InvalidRequest($"The price specified ({price.Id}) is a one-time price. Subscription items need recurring prices.", "items");
            }

            if (price.Currency != currency)
            {
                throw StripeApiException.InvalidRequest($"The price specified ({price.Id}) is in {price.Currency}, but this subscription is in {currency}.", "items");
            }

            if (price.Interval != first.Interval || price.IntervalCount != first.IntervalCount)
            {
                throw StripeApiException.InvalidRequest("Currency and interval fields must match across all plans on this subscription.", "items");
            }
        }

        if (items.GroupBy(i => i.PriceId, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            throw StripeApiException.InvalidRequest("Cannot add multiple subscription items with the same plan.", "items");
        }
    }

    /// <summary>Credits the unused time of the old items that changed, or of <paramref name="all"/> of them (the period is cut short).</summary>
    private static void CreditUnused(Mutation m, SubscriptionRecord subscription, List<(string Id, string PriceId, long Quantity)> oldItems, bool all = false)
    {
        foreach (var old in oldItems)
        {
            var current = subscription.Items.Find(i => i.Id == old.Id);
            if (all || current is null || current.PriceId != old.PriceId || current.Quantity != old.Quantity)
            {
                Prorations.Credit(m, subscription, m.State.Prices[old.PriceId], old.Quantity);
            }
        }
    }

    private static void ChargeRemaining(Mutation m, SubscriptionRecord subscription, List<(string Id, string PriceId, long Quantity)> oldItems)
    {
        foreach (var item in subscription.Items)
        {
            if (!oldItems.Contains((item.Id, item.PriceId, item.Quantity)))
            {
                Prorations.Charge(m, subscription, m.State.Prices[item.PriceId], item.Quantity);
            }
        }
    }

    private static InvoiceRecord NewUpdateInvoice(Mutation m, SubscriptionRecord subscription, bool withSubscriptionLines)
    {
        var customer = m.State.Customers[subscription.CustomerId];
        var invoice = Invoicing.NewDraft(m, customer, "subscription_update", subscription.Currency, subscription.Id);
        invoice.AutoAdvance = true;
        if (withSubscriptionLines)
        {
            Invoicing.AddSubscriptionLines(m, invoice, subscription, subscription.CurrentPeriodStart, subscription.CurrentPeriodEnd, trial: false);
        }

        Invoicing.AttachPendingItems(m, invoice, item => item.SubscriptionId == subscription.Id);
        return invoice;
    }
}
