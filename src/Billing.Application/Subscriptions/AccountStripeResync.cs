using Billing.Application.Accounts;
using Billing.Application.StripeCustomers;
using Billing.Domain.Accounts;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Subscriptions;

/// <summary>
/// The remedy for missed webhook events: reads the account's Stripe customer and subscriptions from Stripe and
/// applies them with the same rules as the event processor. The customer is the account's own, or (when a missed
/// checkout never linked it) the one whose <c>account_id</c> metadata names the account. The account's current
/// subscription is always a step: as the customer's list has it, else read by its id through the sync, so one Stripe no
/// longer has is ended as the sweep and the webhooks end it (<see cref="SubscriptionSyncOutcome.EndedNotFoundInStripe"/>,
/// or <see cref="SubscriptionSyncOutcome.NotFoundInStripe"/> once it is over), and one whose customer Stripe does not
/// know either is kept (<see cref="SubscriptionSyncOutcome.CustomerUnknownInStripe"/>: a key of another Stripe account).
/// </summary>
public sealed partial class AccountStripeResync(
    IBillingAccountStore accounts,
    IStripeCustomerLinks links,
    IStripeSubscriptionSource stripe,
    StripeSubscriptionSync sync,
    ILogger<AccountStripeResync> logger)
{
    public async Task<AccountResyncResult> ResyncAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return new AccountResyncResult(AccountResyncOutcome.AccountNotFound, null, null, []);
        }

        var customerId = account.StripeCustomerId ?? await stripe.FindCustomerIdAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (customerId is null || account.FormerStripeCustomerIds.Contains(customerId, StringComparer.Ordinal))
        {
            return new AccountResyncResult(AccountResyncOutcome.NoStripeCustomer, account, null, []);
        }

        var link = await links.LinkAsync(customerId, accountId, cancellationToken).ConfigureAwait(false);
        if (link.Outcome == CustomerLinkOutcome.AlreadyLinkedToOther)
        {
            LogLinkedElsewhere(accountId.Value, customerId, link.AccountId.Value);
            return new AccountResyncResult(AccountResyncOutcome.CustomerLinkedToOtherAccount, account, customerId, []);
        }

        if (account.StripeCustomerId is null)
        {
            account = await accounts.UpdateAsync(accountId, a => a.AssignStripeCustomer(customerId).Account, cancellationToken).ConfigureAwait(false);
        }

        var subscriptions = await stripe.ListCustomerSubscriptionsAsync(customerId, includeEnded: true, cancellationToken).ConfigureAwait(false);
        var steps = new List<SubscriptionResyncStep>();

        // First the account's current subscription as Stripe has it now (it may have ended), then the strongest other one.
        // One the customer's list does not hold is read by its id: one Stripe no longer has is ended as a deletion is.
        if (account.Subscription is { } current)
        {
            var fresh = subscriptions.FirstOrDefault(s => s.SubscriptionId == current.SubscriptionId);
            var applied = fresh is not null
                ? await sync.ApplyAsync(accountId, fresh, cancellationToken).ConfigureAwait(false)
                : await sync.SyncAsync(accountId, current.SubscriptionId, cancellationToken).ConfigureAwait(false);
            steps.Add(new SubscriptionResyncStep(current.SubscriptionId, applied.Outcome));
        }

        var strongest = subscriptions
            .Where(s => s.SubscriptionId != account.Subscription?.SubscriptionId)
            .OrderByDescending(s => s.Rank())
            .ThenByDescending(s => s.CurrentPeriodStart)
            .FirstOrDefault();
        if (strongest is not null)
        {
            var applied = await sync.ApplyAsync(accountId, strongest, cancellationToken).ConfigureAwait(false);
            steps.Add(new SubscriptionResyncStep(strongest.SubscriptionId, applied.Outcome));
        }

        // Nothing applied: the account as read (or as the customer's assignment stored it) is the account now.
        var stored = steps.Count == 0 ? account : await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        LogResynced(accountId.Value, customerId, subscriptions.Count, stored?.Subscription?.SubscriptionId, stored?.Subscription?.Status.Value);
        return new AccountResyncResult(AccountResyncOutcome.Synced, stored, customerId, steps);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-sync of account {AccountId}: Stripe customer {CustomerId} is linked to account {OtherAccountId}; nothing changed")]
    private partial void LogLinkedElsewhere(string accountId, string customerId, string otherAccountId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-synced account {AccountId} from Stripe customer {CustomerId} ({SubscriptionCount} subscriptions): now {SubscriptionId} {Status}")]
    private partial void LogResynced(string accountId, string customerId, int subscriptionCount, string? subscriptionId, string? status);
}
