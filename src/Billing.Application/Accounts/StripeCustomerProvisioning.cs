using Billing.Application.Payments;
using Billing.Application.StripeCustomers;
using Billing.Domain.Accounts;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Accounts;

/// <summary>
/// Ensures an account exists and has exactly one Stripe customer, however many requests race for it:
/// <list type="number">
/// <item>the account document is created once (create, 409 = someone else did, read theirs);</item>
/// <item>an account that already has a customer keeps it (no Stripe call);</item>
/// <item>otherwise Stripe creates the customer under an idempotency key derived from the account and its customer
/// generation (which moves on when Stripe deletes the customer), so racing requests (and retries within Stripe's 24
/// hours) get the same customer back, and an account whose customer was deleted gets a new one;</item>
/// <item>the customer is linked to the account (for webhooks that carry only a customer id), then set on the account
/// with an ETag-guarded update that never replaces a customer already there.</item>
/// </list>
/// Linking comes before assigning so that an account never names a customer its webhooks cannot be mapped from.
/// </summary>
public sealed partial class StripeCustomerProvisioning(
    IBillingAccountStore accounts,
    IStripeCustomerLinks links,
    IStripeBillingGateway gateway,
    ILogger<StripeCustomerProvisioning> logger)
{
    /// <param name="accountId">The account.</param>
    /// <param name="read">The account as the caller has just read it, so it is not read again; null when the caller has
    /// not read it or found none (it is then read, and created when it was never stored).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The account as stored, with its <see cref="BillingAccount.StripeCustomerId"/> set.</returns>
    public async Task<BillingAccount> EnsureCustomerAsync(AccountId accountId, BillingAccount? read, CancellationToken cancellationToken)
    {
        var account = read ?? await accounts.GetOrCreateAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (account.StripeCustomerId is not null)
        {
            return account;
        }

        var customerId = await gateway.CreateCustomerAsync(
            new NewStripeCustomer { AccountId = accountId, IdempotencyKey = PaymentIdempotencyKeys.CustomerCreation(accountId, account.CustomerGeneration) },
            cancellationToken).ConfigureAwait(false);

        var link = await links.LinkAsync(customerId, accountId, cancellationToken).ConfigureAwait(false);
        if (link.Outcome == CustomerLinkOutcome.AlreadyLinkedToOther)
        {
            // Stripe answered a key derived from this account with another account's customer: never use it.
            throw new InvalidOperationException(
                $"Stripe customer {customerId}, created for account '{accountId}', is already linked to account '{link.AccountId}'.");
        }

        StripeCustomerAssignmentResult? assignment = null;
        var stored = await accounts.UpdateAsync(
            accountId,
            current =>
            {
                assignment = current.AssignStripeCustomer(customerId);
                return assignment.Changed ? assignment.Account : null;
            },
            cancellationToken).ConfigureAwait(false);

        switch (assignment!.Outcome)
        {
            case StripeCustomerAssignmentOutcome.Assigned:
                LogAssigned(accountId.Value, customerId);
                break;
            case StripeCustomerAssignmentOutcome.KeptExisting:
                LogKeptExisting(accountId.Value, stored.StripeCustomerId!, customerId);
                break;
            case StripeCustomerAssignmentOutcome.FormerCustomer:
                // The customer was deleted while this request ran (Stripe replayed the old generation's key): a retry
                // reads the new generation and gets a new customer.
                throw new InvalidOperationException($"Stripe customer {customerId} of account '{accountId}' was deleted meanwhile; try again.");
        }

        return stored;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} got Stripe customer {CustomerId}")]
    private partial void LogAssigned(string accountId, string customerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} already had Stripe customer {ExistingCustomerId}; customer {UnusedCustomerId} is not used")]
    private partial void LogKeptExisting(string accountId, string existingCustomerId, string unusedCustomerId);
}
