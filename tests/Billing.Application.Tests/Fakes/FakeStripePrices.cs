using Billing.Application.Catalog;
using Billing.Application.Payments;
using Billing.Domain.Pricing;

namespace Billing.Application.Tests.Fakes;

/// <summary>Stripe's prices in memory; <see cref="Down"/> makes every read fail as an unreachable Stripe does.</summary>
internal sealed class FakeStripePrices : IStripePrices
{
    private int _reads;

    public Dictionary<string, StripePlanPrice> Prices { get; } = new(StringComparer.Ordinal);

    public bool Down { get; set; }

    public int Reads => _reads;

    /// <summary>When set, a read waits for it (a slow Stripe).</summary>
    public TaskCompletionSource? Hold { get; set; }

    public async Task<IReadOnlyDictionary<string, StripePlanPrice>> GetPricesAsync(IReadOnlyCollection<string> priceIds, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Interlocked.Increment(ref _reads);
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        if (Down)
        {
            throw new PaymentProviderException("Could not read the plan prices: Stripe could not be reached.") { IsTransient = true };
        }

        return priceIds.Where(Prices.ContainsKey).ToDictionary(id => id, id => Prices[id], StringComparer.Ordinal);
    }
}
