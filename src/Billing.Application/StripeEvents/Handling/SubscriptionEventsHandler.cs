using Billing.Application.Subscriptions;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// <c>customer.subscription.*</c>: applies the subscription as Stripe has it now (not the event's copy), so plan
/// changes, cancellations, pauses and trial ends land in Stripe's order whatever order the events arrive in.
/// </summary>
public sealed class SubscriptionEventsHandler(StripeEventAccountResolver resolver, StripeSubscriptionSync sync) : IStripeEventTypeHandler
{
    private static readonly HashSet<string> Types = new(StringComparer.Ordinal)
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
        "customer.subscription.trial_will_end",
        "customer.subscription.pending_update_applied",
        "customer.subscription.pending_update_expired",
    };

    public IReadOnlySet<string> EventTypes => Types;

    public async Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        if ((stripeEvent.SubscriptionId ?? stripeEvent.ObjectId) is not { } subscriptionId)
        {
            return StripeEventHandlingResult.Ignored(null, "The event carries no subscription id.");
        }

        var resolution = await resolver.ResolveAsync(stripeEvent.CustomerId, stripeEvent.AccountReference, cancellationToken).ConfigureAwait(false);
        if (resolution.AccountId is not { } accountId)
        {
            return StripeEventHandlingResult.Ignored(null, resolution.Problem!);
        }

        var synced = await sync.SyncAsync(accountId, subscriptionId, cancellationToken).ConfigureAwait(false);
        return synced.ToHandlingResult(accountId, subscriptionId);
    }
}
