using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Billing;

/// <summary>What a customer can do in the billing portal: switch price, cancel at period end (or take it back), cancel now.</summary>
internal static class PortalActions
{
    public static SubscriptionRecord ChangePrice(Mutation m, string customerId, string? subscriptionId, string priceId, string prorationBehavior)
    {
        var subscription = Target(m, customerId, subscriptionId);
        var item = subscription.Items[0];
        if (item.PriceId == priceId)
        {
            throw StripeApiException.InvalidRequest($"The subscription is already on {priceId}.", "price");
        }

        SubscriptionUpdates.Apply(m, subscription, new SubscriptionChange
        {
            Items = [new ItemChange("items[0]", item.Id, priceId, null, Deleted: false, Metadata: null)],
            ProrationBehavior = prorationBehavior,
        });
        return subscription;
    }

    public static SubscriptionRecord CancelAtPeriodEnd(Mutation m, string customerId, string? subscriptionId, bool cancel, string? feedback, string? comment)
    {
        var subscription = Target(m, customerId, subscriptionId);
        var before = SubscriptionShape.ToJson(subscription, m.State);
        Subscriptions.SetCancelAtPeriodEnd(m, subscription, cancel, feedback, comment);
        Subscriptions.EmitUpdated(m, subscription, before);
        return subscription;
    }

    public static SubscriptionRecord CancelNow(Mutation m, string customerId, string? subscriptionId, string? feedback, string? comment)
    {
        var subscription = Target(m, customerId, subscriptionId);
        subscription.CancellationFeedback = feedback ?? subscription.CancellationFeedback;
        subscription.CancellationComment = comment ?? subscription.CancellationComment;
        Subscriptions.Cancel(m, subscription, "cancellation_requested");
        return subscription;
    }

    private static SubscriptionRecord Target(Mutation m, string customerId, string? subscriptionId)
    {
        Lookup.Customer(m.State, customerId);
        var subscription = Subscriptions.ForCustomer(m.State, customerId, subscriptionId);
        return subscription.IsLive
            ? subscription
            : throw StripeApiException.InvalidRequest($"Subscription {subscription.Id} is canceled.", "subscription");
    }
}
