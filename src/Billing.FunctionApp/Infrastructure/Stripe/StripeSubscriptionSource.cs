using System.Net;
using Billing.Application.StripeEvents;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Billing.Stripe;
using Billing.Stripe.Customers;
using Billing.Stripe.Errors;
using Billing.Stripe.Subscriptions;

namespace Billing.FunctionApp.Infrastructure.Stripe;

/// <summary><see cref="IStripeSubscriptionSource"/> on the Stripe API; every snapshot is dated when its read began.</summary>
public sealed class StripeSubscriptionSource(IStripeClient stripe, TimeProvider time) : IStripeSubscriptionSource
{
    private const int PageSize = 100;

    public async Task<SubscriptionSnapshot?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        var asOf = time.GetUtcNow();
        try
        {
            var subscription = await stripe.Subscriptions.GetAsync(subscriptionId, cancellationToken: cancellationToken).ConfigureAwait(false);
            return StripeSubscriptionSnapshots.FromStripe(subscription, asOf);
        }
        catch (StripeApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<SubscriptionSnapshot>> ListCustomerSubscriptionsAsync(string customerId, bool includeEnded, CancellationToken cancellationToken)
    {
        var asOf = time.GetUtcNow();
        var request = new SubscriptionListRequest { Customer = customerId, Status = includeEnded ? "all" : null, Limit = PageSize };
        var snapshots = new List<SubscriptionSnapshot>();
        await foreach (var subscription in stripe.Subscriptions.ListAutoPagingAsync(request, cancellationToken).ConfigureAwait(false))
        {
            snapshots.Add(StripeSubscriptionSnapshots.FromStripe(subscription, asOf));
        }

        return snapshots;
    }

    public async Task<string?> FindCustomerIdAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var query = $"metadata['{StripeMetadataKeys.AccountId}']:'{Escape(accountId.Value)}'";
        await foreach (var customer in stripe.Customers.SearchAutoPagingAsync(new CustomerSearchRequest { Query = query, Limit = PageSize }, cancellationToken).ConfigureAwait(false))
        {
            if (customer.Deleted != true)
            {
                return customer.Id;
            }
        }

        return null;
    }

    /// <summary>Search query strings quote with single quotes; a quote or backslash inside is escaped with a backslash.</summary>
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);
}
