using System.Net;
using Billing.Application.StripeEvents;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Microsoft.Extensions.Logging;
using Stripe;

namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// <see cref="IStripeSubscriptionSource"/> on Stripe.net; every snapshot is dated when its read began. Failures
/// other than "no such subscription" (or customer) become <see cref="Billing.Application.Payments.PaymentProviderException"/>
/// (their message is safe to store as an event's failure note: no response body).
/// </summary>
public sealed class StripeSubscriptionSource(StripeClientFactory clients, TimeProvider time, ILogger<StripeSubscriptionSource> logger) : IStripeSubscriptionSource
{
    private const int PageSize = 100;

    public async Task<SubscriptionSnapshot?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionId);
        var asOf = time.GetUtcNow();
        try
        {
            var subscription = await clients.Create().V1.Subscriptions.GetAsync(subscriptionId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false);
            return StripeSubscriptionSnapshots.FromStripe(subscription, asOf);
        }
        catch (StripeException exception) when (IsNoSuchObject(exception))
        {
            return null;
        }
        catch (Exception exception) when (StripeFailures.Classify("read the subscription", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public async Task<StripeCustomerSnapshot?> GetCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customerId);
        try
        {
            var customer = await clients.Create().V1.Customers.GetAsync(customerId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false);
            return new StripeCustomerSnapshot(customer.Id, customer.Deleted == true);
        }
        catch (StripeException exception) when (IsNoSuchObject(exception))
        {
            return null;
        }
        catch (Exception exception) when (StripeFailures.Classify("read the customer", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public async Task<IReadOnlyList<SubscriptionSnapshot>> ListCustomerSubscriptionsAsync(string customerId, bool includeEnded, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customerId);
        var asOf = time.GetUtcNow();
        var options = new SubscriptionListOptions { Customer = customerId, Status = includeEnded ? "all" : null, Limit = PageSize };
        var snapshots = new List<SubscriptionSnapshot>();
        try
        {
            await foreach (var subscription in clients.Create().V1.Subscriptions.ListAutoPagingAsync(options, requestOptions: null, cancellationToken).ConfigureAwait(false))
            {
                snapshots.Add(StripeSubscriptionSnapshots.FromStripe(subscription, asOf));
            }
        }
        catch (Exception exception) when (StripeFailures.Classify("list the customer's subscriptions", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }

        return snapshots;
    }

    public async Task<string?> FindCustomerIdAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var options = new CustomerSearchOptions { Query = $"metadata['{StripeMetadataKeys.AccountId}']:'{Escape(accountId.Value)}'", Limit = PageSize };
        try
        {
            await foreach (var customer in clients.Create().V1.Customers.SearchAutoPagingAsync(options, requestOptions: null, cancellationToken).ConfigureAwait(false))
            {
                // The match is Stripe's (its search may fold case or lag behind a metadata change); only a customer
                // whose metadata names exactly this account is taken for it.
                if (customer.Deleted != true
                    && customer.Metadata?.GetValueOrDefault(StripeMetadataKeys.AccountId) is { } named
                    && string.Equals(named, accountId.Value, StringComparison.Ordinal))
                {
                    return customer.Id;
                }
            }
        }
        catch (Exception exception) when (StripeFailures.Classify("search the account's customer", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }

        return null;
    }

    /// <summary>
    /// Stripe's answer for an id it does not have (a subscription, a customer): 404 <c>resource_missing</c> about the id
    /// in the URL. The account's subscription is ended, or kept when its customer is unknown too, on these answers
    /// (<see cref="StripeSubscriptionSync"/>), so any other 404 (a URL Stripe does not route, a proxy's page without a
    /// Stripe error) is a failure like the rest, as are a wrong key (401) and a restricted one (403).
    /// </summary>
    private static bool IsNoSuchObject(StripeException exception) =>
        exception.HttpStatusCode == HttpStatusCode.NotFound && exception.StripeError is { Code: "resource_missing", Param: null or "id" };

    /// <summary>Search query strings quote with single quotes; a quote or backslash inside is escaped with a backslash.</summary>
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);
}
