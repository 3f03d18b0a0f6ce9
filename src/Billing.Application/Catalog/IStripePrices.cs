using Billing.Domain.Pricing;

namespace Billing.Application.Catalog;

/// <summary>Stripe's prices: what a plan's subscription costs is kept in Stripe, not in the catalog.</summary>
public interface IStripePrices
{
    /// <summary>The per-interval amount of each of <paramref name="priceIds"/> Stripe knows with a fixed amount; others are absent.</summary>
    /// <exception cref="Payments.PaymentProviderException">Stripe could not be asked.</exception>
    Task<IReadOnlyDictionary<string, Money>> GetAmountsAsync(IReadOnlyCollection<string> priceIds, CancellationToken cancellationToken);
}
