using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Usage;

/// <summary>Usage counters per account, usage period and meter, kept in one document per account and period.</summary>
public interface IUsageCounters
{
    /// <summary>The counters of one period, or null when nothing was counted in it.</summary>
    Task<UsageCounters?> GetAsync(AccountId accountId, UsagePeriodKey periodKey, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="amount"/> to the meter's counter in <paramref name="period"/> atomically. With a
    /// <paramref name="limit"/>, the counter never exceeds it, even under concurrency: the addition is refused when
    /// it would. Without a limit it always succeeds.
    /// </summary>
    Task<UsageConsumeResult> TryConsumeAsync(
        AccountId accountId,
        UsagePeriod period,
        MeterName meter,
        long amount,
        long? limit,
        CancellationToken cancellationToken);
}
