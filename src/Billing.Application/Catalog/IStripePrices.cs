using Billing.Domain.Plans;
using Billing.Domain.Pricing;

namespace Billing.Application.Catalog;

/// <summary>Stripe's prices: what a plan's subscription costs is kept in Stripe, not in the catalog.</summary>
public interface IStripePrices
{
    /// <summary>
    /// Each of <paramref name="priceIds"/> Stripe has on sale as a plan's price (active, of an active product, a fixed
    /// amount billed every one month or one year), with that amount and interval; others are absent.
    /// </summary>
    /// <exception cref="Payments.PaymentProviderException">Stripe could not be asked.</exception>
    Task<IReadOnlyDictionary<string, StripePlanPrice>> GetPricesAsync(IReadOnlyCollection<string> priceIds, CancellationToken cancellationToken);
}

/// <summary>A price as Stripe bills it: <paramref name="Amount"/> every <paramref name="Interval"/>.</summary>
public sealed record StripePlanPrice(Money Amount, BillingInterval Interval);
