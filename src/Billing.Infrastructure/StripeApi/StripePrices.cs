using System.Net;
using Billing.Application.Catalog;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging;
using Stripe;

namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// <see cref="IStripePrices"/> on Stripe.net: one <c>GET /v1/prices/{id}</c> per price (a catalog has a handful), in
/// parallel, each with its product expanded. A price Stripe does not know, one archived (<c>active: false</c>: Checkout
/// refuses it) or whose product is archived (its prices stay active, and Checkout refuses them too), one without a fixed
/// <c>unit_amount</c> (tiered) or one whose amount is not what one month or one year costs (a one-time price, one billed
/// every 3 months, a metered one: the plans answer pairs the amount with the catalog's interval) is left out;
/// any other failure becomes a <see cref="Billing.Application.Payments.PaymentProviderException"/>.
/// </summary>
public sealed class StripePrices(StripeClientFactory clients, ILogger<StripePrices> logger) : IStripePrices
{
    public async Task<IReadOnlyDictionary<string, StripePlanPrice>> GetPricesAsync(IReadOnlyCollection<string> priceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(priceIds);
        var client = clients.Create();
        var prices = await Task.WhenAll(priceIds.Select(id => GetAsync(client, id, cancellationToken))).ConfigureAwait(false);
        return prices
            .Where(p => p is { UnitAmount: not null, Deleted: not true, Active: true, Recurring: { Interval: "month" or "year", IntervalCount: 1, UsageType: not "metered" } }
                && p.Product is not ({ Active: false } or { Deleted: true }))
            .ToDictionary(
                p => p!.Id,
                p => new StripePlanPrice(new Money(p!.UnitAmount!.Value, Currency.Parse(p.Currency)), p.Recurring.Interval == "year" ? BillingInterval.Year : BillingInterval.Month),
                StringComparer.Ordinal);
    }

    private async Task<Price?> GetAsync(StripeClient client, string priceId, CancellationToken cancellationToken)
    {
        try
        {
            return await client.V1.Prices.GetAsync(priceId, new PriceGetOptions { Expand = ["product"] }, requestOptions: null, cancellationToken).ConfigureAwait(false);
        }
        catch (StripeException exception) when (exception.HttpStatusCode is HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception exception) when (StripeFailures.Classify("read the plan prices", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }
}
