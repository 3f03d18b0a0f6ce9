using System.Net;
using Billing.Application.StripeCustomers;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Logging;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;

namespace Billing.Cosmos.StripeCustomers;

/// <summary>Customer links in the stripe-customers container: create once (409 -> read and compare), point-read to map.</summary>
public sealed class CosmosStripeCustomerLinks(
    BillingContainers containers,
    TimeProvider time,
    ILogger<CosmosStripeCustomerLinks> logger) : IStripeCustomerLinks
{
    private const int MaxAttempts = 3;

    private Container Container => containers.StripeCustomers;

    public async Task<CustomerLinkResult> LinkAsync(string stripeCustomerId, AccountId accountId, CancellationToken cancellationToken)
    {
        StripeIds.EnsureValid(stripeCustomerId, nameof(stripeCustomerId));
        var partitionKey = new PartitionKey(stripeCustomerId);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var document = new StripeCustomerDocument
            {
                Id = stripeCustomerId,
                Type = DocumentTypes.StripeCustomer,
                SchemaVersion = DocumentTypes.StripeCustomerSchemaVersion,
                AccountId = accountId.Value,
                CreatedAt = time.GetUtcNow(),
            };
            var created = await Container.CreateAsync(document, partitionKey, cancellationToken).ConfigureAwait(false);
            if (created.Status == HttpStatusCode.Created)
            {
                return CustomerLinkResult.Linked(accountId);
            }

            var existing = await Container.ReadAsync<StripeCustomerDocument>(stripeCustomerId, partitionKey, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                continue; // deleted between our create and read: try again
            }

            var linked = AccountId.Parse(existing.AccountId);
            if (linked == accountId)
            {
                return CustomerLinkResult.Linked(accountId);
            }

            CosmosLog.CustomerLinkedElsewhere(logger, stripeCustomerId, linked.Value, accountId.Value);
            return CustomerLinkResult.AlreadyLinkedToOther(linked);
        }

        throw new InvalidOperationException($"Stripe customer '{stripeCustomerId}' could not be linked after {MaxAttempts} attempts.");
    }

    public async Task<AccountId?> FindAccountIdAsync(string stripeCustomerId, CancellationToken cancellationToken)
    {
        if (!StripeIds.IsValid(stripeCustomerId))
        {
            return null;
        }

        var document = await Container.ReadAsync<StripeCustomerDocument>(stripeCustomerId, new PartitionKey(stripeCustomerId), cancellationToken).ConfigureAwait(false);
        return document is null ? null : AccountId.Parse(document.AccountId);
    }
}
