using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;

namespace Billing.Application.StripeEvents.Handling;

internal static class SubscriptionSyncHandling
{
    /// <summary>In effect (applied now or before, or a newer read is kept) -> Applied; otherwise Ignored with the reason.</summary>
    public static StripeEventHandlingResult ToHandlingResult(this SubscriptionSyncResult sync, AccountId accountId, string subscriptionId) =>
        sync.IsInEffect
            ? StripeEventHandlingResult.Applied(accountId, sync.Outcome == SubscriptionSyncOutcome.Applied ? null : sync.Describe(subscriptionId))
            : StripeEventHandlingResult.Ignored(accountId, sync.Describe(subscriptionId));
}
