using Billing.Application.Payments;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Catalog;

/// <summary>A plan of the catalog with what each of its intervals costs in Stripe (none known: empty).</summary>
public sealed record PlanOffer(Plan Plan, IReadOnlyDictionary<BillingInterval, Money> Prices);

/// <summary>The catalog for a pricing page; <see cref="PricesAvailable"/> false when Stripe's prices could not be read.</summary>
public sealed record PlanOffers(IReadOnlyList<PlanOffer> Plans, bool PricesAvailable);

/// <summary>
/// The plan catalog with its prices read from Stripe, kept for <see cref="CacheFor"/> (one process-wide copy, so an
/// anonymous pricing page does not turn into Stripe traffic). When Stripe cannot be reached the last prices read are
/// served; with none yet, the plans come without prices and <see cref="PlanOffers.PricesAvailable"/> says so: the
/// catalog (quotas, features) never fails with Stripe.
/// </summary>
public sealed partial class PlanPricing(PlanCatalog catalog, IStripePrices stripe, TimeProvider time, ILogger<PlanPricing> logger) : IDisposable
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Prices? _prices;

    public async Task<PlanOffers> ListAsync(CancellationToken cancellationToken)
    {
        var prices = await CurrentPricesAsync(cancellationToken).ConfigureAwait(false);
        var offers = catalog.Plans
            .Select(plan => new PlanOffer(plan, plan.PriceIds
                .Where(p => prices?.Amounts.ContainsKey(p.Value) == true)
                .ToDictionary(p => p.Key, p => prices!.Amounts[p.Value])))
            .ToList();
        return new PlanOffers(offers, prices is not null);
    }

    public void Dispose() => _refresh.Dispose();

    private async Task<Prices?> CurrentPricesAsync(CancellationToken cancellationToken)
    {
        if (_prices is { } fresh && time.GetUtcNow() - fresh.ReadAt < CacheFor)
        {
            return fresh;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_prices is { } refreshed && time.GetUtcNow() - refreshed.ReadAt < CacheFor)
            {
                return refreshed; // another caller read them meanwhile
            }

            var ids = catalog.Plans.SelectMany(p => p.PriceIds.Values).Distinct(StringComparer.Ordinal).ToList();
            var amounts = ids.Count == 0 ? new Dictionary<string, Money>() : await stripe.GetAmountsAsync(ids, cancellationToken).ConfigureAwait(false);
            foreach (var missing in ids.Where(id => !amounts.ContainsKey(id)))
            {
                LogPriceUnknown(missing);
            }

            return _prices = new Prices(amounts, time.GetUtcNow());
        }
        catch (PaymentProviderException exception)
        {
            LogPricesUnavailable(exception.Message, _prices is not null);
            return _prices;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private sealed record Prices(IReadOnlyDictionary<string, Money> Amounts, DateTimeOffset ReadAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The catalog's price {PriceId} has no fixed amount in Stripe (unknown, tiered or metered); its plan is listed without that price")]
    private partial void LogPriceUnknown(string priceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe's prices could not be read ({Reason}); serving the last prices read: {HaveStale}")]
    private partial void LogPricesUnavailable(string reason, bool haveStale);
}
