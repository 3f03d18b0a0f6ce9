using System.Collections.Concurrent;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Tests.Fakes;

/// <summary>Usage counters per account and period; tests set them directly. Counts reads.</summary>
internal sealed class InMemoryUsageCounters : IUsageCounters
{
    private readonly ConcurrentDictionary<(AccountId, UsagePeriodKey), UsageCounters> _periods = new();

    public int Reads { get; private set; }

    public UsagePeriodKey? LastReadKey { get; private set; }

    public void Set(AccountId accountId, UsagePeriod period, MeterName meter, long value)
    {
        var current = _periods.GetValueOrDefault((accountId, period.Key));
        var counters = new Dictionary<MeterName, long>(current?.Counters ?? new Dictionary<MeterName, long>()) { [meter] = value };
        _periods[(accountId, period.Key)] = new UsageCounters { AccountId = accountId, Period = period, Counters = counters };
    }

    public Task<UsageCounters?> GetAsync(AccountId accountId, UsagePeriodKey periodKey, CancellationToken cancellationToken)
    {
        Reads++;
        LastReadKey = periodKey;
        return Task.FromResult(_periods.GetValueOrDefault((accountId, periodKey)));
    }

    public Task<UsageConsumeResult> TryConsumeAsync(AccountId accountId, UsagePeriod period, MeterName meter, long amount, long? limit, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Not used by the account use cases.");
}
