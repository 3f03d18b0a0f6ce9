using Billing.Application.StripeCustomers;
using Billing.Domain.Accounts;
using Microsoft.Extensions.Logging;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// Maps an event to its billing account: the customer link first (one point read); else the account the object
/// names (<c>client_reference_id</c> or <c>account_id</c> metadata, written only by this backend), which is then
/// linked to the customer. A customer linked to one account stays with it: a different account reference is not
/// followed.
/// </summary>
public sealed partial class StripeEventAccountResolver(IStripeCustomerLinks links, ILogger<StripeEventAccountResolver> logger)
{
    public async Task<AccountResolution> ResolveAsync(string? customerId, string? accountReference, CancellationToken cancellationToken)
    {
        if (customerId is not null)
        {
            var linked = await links.FindAccountIdAsync(customerId, cancellationToken).ConfigureAwait(false);
            if (linked is { } existing)
            {
                if (accountReference is not null && accountReference != existing.Value)
                {
                    LogReferenceDiffers(customerId, existing.Value, accountReference);
                }

                return AccountResolution.Found(existing);
            }
        }

        if (accountReference is null)
        {
            return AccountResolution.NotFound(customerId is null
                ? "The event names no Stripe customer and no billing account."
                : $"Stripe customer {customerId} is not linked to a billing account and the event names none.");
        }

        if (!AccountId.TryParse(accountReference, out var accountId, out _))
        {
            return AccountResolution.NotFound("The event's account reference is not a valid account id.");
        }

        if (customerId is null)
        {
            return AccountResolution.Found(accountId);
        }

        var link = await links.LinkAsync(customerId, accountId, cancellationToken).ConfigureAwait(false);
        if (link.Outcome == CustomerLinkOutcome.AlreadyLinkedToOther)
        {
            LogReferenceDiffers(customerId, link.AccountId.Value, accountId.Value);
        }

        return AccountResolution.Found(link.AccountId);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe customer {CustomerId} is linked to account {LinkedAccountId}; the event names account {ReferencedAccountId}, which is not followed")]
    private partial void LogReferenceDiffers(string customerId, string linkedAccountId, string referencedAccountId);
}
