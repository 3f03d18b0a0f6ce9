using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Usage;

/// <summary>
/// Durable usage per account, usage period and meter: the counters (one document per account and period), the
/// idempotency keys of recorded usage, the threshold notifications sent, and an index of periods by the day they
/// close (what invoicing enumerates). Every request-path operation is a point read or a single-document write in the
/// account's partition.
/// </summary>
public interface IUsageLedger
{
    /// <summary>The counters of one period, or null when nothing was counted in it.</summary>
    Task<UsageCounters?> GetAsync(AccountId accountId, UsagePeriodKey periodKey, CancellationToken cancellationToken);

    /// <summary>The periods of the account that started in [<paramref name="startedFrom"/>, <paramref name="startedBefore"/>), oldest first (one partition).</summary>
    Task<IReadOnlyList<UsageCounters>> ListStartedAsync(AccountId accountId, DateTimeOffset startedFrom, DateTimeOffset startedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Claims <paramref name="claim"/>'s idempotency key for the account, atomically: null when this call claimed it
    /// (go on and count), otherwise the claim that holds it (a duplicate or a racing twin: count nothing).
    /// </summary>
    Task<UsageKeyClaim?> ClaimKeyAsync(UsageKeyClaim claim, CancellationToken cancellationToken);

    /// <summary>The claim of an idempotency key, or null when the key is unknown (or expired); claims nothing.</summary>
    Task<UsageKeyClaim?> GetKeyAsync(AccountId accountId, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Stores the first answer on the claimed key once its usage is counted, so a retry gets the same answer.</summary>
    Task SettleKeyAsync(UsageKeyClaim claim, CountedUsage counted, CancellationToken cancellationToken);

    /// <summary>Gives a claimed key up again because nothing was counted for it (over the limit, or the count failed).</summary>
    Task ReleaseKeyAsync(AccountId accountId, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// Adds the consumption to the meter's counter atomically. With a limit, the counter never passes it, whatever the
    /// concurrency: the addition is refused instead. The first consumption of a period creates its document and its
    /// entry in the closing-day index.
    /// </summary>
    Task<UsageConsumeResult> TryConsumeAsync(UsageConsumption consumption, CancellationToken cancellationToken);

    /// <summary>Marks a threshold of a meter in a period as notified; false when it already was (someone else notifies).</summary>
    Task<bool> TryMarkThresholdAsync(AccountId accountId, UsagePeriodKey periodKey, MeterName meter, int percent, CancellationToken cancellationToken);

    /// <summary>Clears a threshold mark whose notification could not be sent, so the next count sends it.</summary>
    Task UnmarkThresholdAsync(AccountId accountId, UsagePeriodKey periodKey, MeterName meter, int percent, CancellationToken cancellationToken);

    /// <summary>
    /// The (account, period) pairs with usage whose period ends on <paramref name="day"/> (UTC) and that are not
    /// invoiced yet, from the index (one partition).
    /// </summary>
    Task<IReadOnlyList<UsagePeriodEntry>> ListPeriodsEndingAsync(DateOnly day, CancellationToken cancellationToken);

    /// <summary>Marks the period's index entry as invoiced, so the invoicing timer stops listing it.</summary>
    Task MarkPeriodInvoicedAsync(AccountId accountId, UsagePeriodKey periodKey, DateTimeOffset periodEnd, CancellationToken cancellationToken);
}
