using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;

namespace Billing.Application.Admin;

/// <summary>What an operator's re-sync did (<see cref="Result"/>), the account as stored afterwards and its entitlement now.</summary>
public sealed record ResyncedAccount(AccountResyncResult Result, BillingAccount Account, Entitlement Entitlement);

/// <summary>
/// The operator's re-sync of one account (<c>POST /api/billing/admin/accounts/{accountId}/resync</c>): runs
/// <see cref="AccountStripeResync"/> and answers its refusals as the one result idiom does (404 no such account, 409 no
/// Stripe customer, 409 a customer linked to another account), else the account and its entitlement now.
/// </summary>
public sealed class AdminAccountResync(AccountStripeResync resync, AccountEntitlements entitlements, TimeProvider time)
{
    public async Task<Outcome<ResyncedAccount>> ResyncAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var result = await resync.ResyncAsync(accountId, cancellationToken).ConfigureAwait(false);
        return result.Outcome switch
        {
            AccountResyncOutcome.AccountNotFound => Outcome.Refused<ResyncedAccount>(RefusalReason.AccountNotFound, $"Billing account '{accountId}' does not exist."),
            AccountResyncOutcome.NoStripeCustomer => Outcome.Refused<ResyncedAccount>(RefusalReason.NoStripeCustomer, $"Account '{accountId}' has no Stripe customer and no customer's account_id metadata names it: nothing to sync."),
            AccountResyncOutcome.CustomerLinkedToOtherAccount => Outcome.Refused<ResyncedAccount>(RefusalReason.CustomerLinkedToOtherAccount, $"Stripe customer {result.CustomerId} is linked to another account; nothing was changed."),
            _ => Outcome.Succeeded(new ResyncedAccount(result, result.Account!, entitlements.Evaluate(result.Account!, time.GetUtcNow()))),
        };
    }
}
