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
/// catalog (quotas, features) never fails with Stripe. Through an outage Stripe is asked again at most once per
/// <see cref="RetryAfterFailure"/>, and a caller holding stale prices never waits for another caller's refresh, so an
/// anonymous page cannot queue up behind Stripe's timeouts. The same prices tell Checkout which plan and interval not to
/// sell (<see cref="WhyNotSoldAsync"/>): one whose price Stripe bills otherwise than the catalog says.
/// </summary>
public sealed partial class PlanPricing(PlanCatalog catalog, IStripePrices stripe, TimeProvider time, ILogger<PlanPricing> logger) : IDisposable
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Prices? _prices;
    private long _retryAtTicks;

    public async Task<PlanOffers> ListAsync(CancellationToken cancellationToken)
    {
        var prices = await CurrentPricesAsync(cancellationToken).ConfigureAwait(false);
        var offers = catalog.Plans
            .Select(plan => new PlanOffer(plan, prices?.ByPlan.GetValueOrDefault(plan.Code) ?? NoPrices))
            .ToList();
        return new PlanOffers(offers, prices is not null);
    }

    /// <summary>
    /// Why <paramref name="plan"/> must not be sold by <paramref name="interval"/>: its catalog price is known, from the
    /// prices last read (read now when none are kept or they are older than <see cref="CacheFor"/>), to disagree with
    /// Stripe: not on sale there, billed at the other interval, or in another currency than the plan's. Null when it
    /// agrees, and when nothing is known (Stripe's prices never read): the caller then goes on as Stripe decides.
    /// </summary>
    public async Task<string?> WhyNotSoldAsync(Plan plan, BillingInterval interval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var prices = await CurrentPricesAsync(cancellationToken).ConfigureAwait(false);
        return prices?.NotSold.GetValueOrDefault(plan.Code)?.GetValueOrDefault(interval);
    }

    public void Dispose() => _refresh.Dispose();

    private async Task<Prices?> CurrentPricesAsync(CancellationToken cancellationToken)
    {
        if (!NeedsRead())
        {
            return _prices;
        }

        var known = _prices;
        if (known is null)
        {
            await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (!_refresh.Wait(0, CancellationToken.None))
        {
            return known; // stale, while another caller refreshes them
        }

        try
        {
            if (!NeedsRead())
            {
                return _prices; // another caller read them (or failed to) meanwhile
            }

            var ids = catalog.Plans.SelectMany(p => p.PriceIds.Values).Distinct(StringComparer.Ordinal).ToList();
            var amounts = ids.Count == 0 ? new Dictionary<string, StripePlanPrice>() : await stripe.GetPricesAsync(ids, cancellationToken).ConfigureAwait(false);
            foreach (var missing in ids.Where(id => !amounts.ContainsKey(id)))
            {
                LogPriceUnknown(missing);
            }

            var byPlan = new Dictionary<PlanCode, Dictionary<BillingInterval, Money>>();
            var notSold = new Dictionary<PlanCode, Dictionary<BillingInterval, string>>();
            foreach (var plan in catalog.Plans)
            {
                (byPlan[plan.Code], notSold[plan.Code]) = PricesOf(plan, amounts);
            }

            return _prices = new Prices(byPlan, notSold, time.GetUtcNow());
        }
        catch (PaymentProviderException exception)
        {
            Volatile.Write(ref _retryAtTicks, (time.GetUtcNow() + RetryAfterFailure).UtcTicks);
            LogPricesUnavailable(exception.Message, _prices is not null, RetryAfterFailure.TotalSeconds);
            return _prices;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private bool NeedsRead()
    {
        var now = time.GetUtcNow();
        return now.UtcTicks >= Volatile.Read(ref _retryAtTicks) && (_prices is not { } read || now - read.ReadAt >= CacheFor);
    }

    private static readonly IReadOnlyDictionary<BillingInterval, Money> NoPrices = new Dictionary<BillingInterval, Money>();

    /// <summary>
    /// What each interval of the plan costs, from the prices Stripe has on sale, and why the others are not sold. A price
    /// in the slot of the other interval (a yearly price as the plan's Month) would be shown as that interval's amount
    /// ("$490.00 a month") and sold as the other interval; one in another currency than that of a plan that bills
    /// overage would have its subscriber pay the plan in one currency and its overage (usage invoices in the plan's
    /// currency) in another, and Stripe cannot change a subscription's currency later: each is left out and not sold,
    /// with an error (the catalog and Stripe disagree, and the plan is not sold by that interval until someone fixes one
    /// of them). A price not on sale in Stripe at all is a warning only: it may have been archived on purpose. A plan that
    /// bills no overage invoices nothing in its Currency, so that one is not compared.
    /// </summary>
    private (Dictionary<BillingInterval, Money> Prices, Dictionary<BillingInterval, string> NotSold) PricesOf(Plan plan, IReadOnlyDictionary<string, StripePlanPrice> onSale)
    {
        var prices = new Dictionary<BillingInterval, Money>();
        var notSold = new Dictionary<BillingInterval, string>();
        foreach (var (interval, id) in plan.PriceIds)
        {
            if (!onSale.TryGetValue(id, out var price))
            {
                notSold[interval] = $"its price {id} is not on sale in Stripe as an amount billed every one {interval.ToStripeValue()} (unknown, archived or of an archived product, tiered, metered, one-time or billed at another interval count)";
            }
            else if (price.Interval != interval)
            {
                LogPriceInterval(id, price.Interval, plan.Code.Value, interval);
                notSold[interval] = $"its price {id} is billed every {price.Interval.ToStripeValue()} in Stripe";
            }
            else if (plan is { InvoicesUsage: true, Currency: { } currency } && price.Amount.Currency != currency)
            {
                LogPriceCurrency(id, price.Amount.Currency.Code, plan.Code.Value, interval, currency.Code);
                notSold[interval] = $"its price {id} is in {price.Amount.Currency.Code} in Stripe, but the plan's currency (its overage, billed on usage invoices) is {currency.Code}";
            }
            else
            {
                prices[interval] = price.Amount;
            }
        }

        return (prices, notSold);
    }

    /// <summary>The prices read, per plan and interval, why the catalog's others are not sold, and when.</summary>
    private sealed record Prices(
        IReadOnlyDictionary<PlanCode, Dictionary<BillingInterval, Money>> ByPlan,
        IReadOnlyDictionary<PlanCode, Dictionary<BillingInterval, string>> NotSold,
        DateTimeOffset ReadAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The catalog's price {PriceId} is not on sale in Stripe (unknown, archived or of an archived product, tiered, metered, one-time or not billed every one month or one year); its plan is listed without that price and Checkout does not sell it")]
    private partial void LogPriceUnknown(string priceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The catalog's price {PriceId} is billed every {PriceInterval} in Stripe, but the catalog names it as plan {Plan}'s {CatalogInterval} price; the plan is listed without it and Checkout does not sell it")]
    private partial void LogPriceInterval(string priceId, BillingInterval priceInterval, string plan, BillingInterval catalogInterval);

    [LoggerMessage(Level = LogLevel.Error, Message = "The catalog's price {PriceId} is in {PriceCurrency} in Stripe, but it stands as plan {Plan}'s {CatalogInterval} price and the plan's Currency (its overage, billed on usage invoices) is {PlanCurrency}; the plan is listed without it and Checkout does not sell it")]
    private partial void LogPriceCurrency(string priceId, string priceCurrency, string plan, BillingInterval catalogInterval, string planCurrency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe's prices could not be read ({Reason}); serving the last prices read: {HaveStale}; next try in {RetrySeconds} s")]
    private partial void LogPricesUnavailable(string reason, bool haveStale, double retrySeconds);
}
