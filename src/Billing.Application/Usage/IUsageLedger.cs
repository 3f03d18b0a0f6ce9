using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

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
    /// The periods of the account whose (stored) end is in [<paramref name="endedFrom"/>, <paramref name="endedBefore"/>),
    /// the earliest end first (one partition; the filter reads only those, however long the account's history).
    /// </summary>
    Task<IReadOnlyList<UsageCounters>> ListEndedAsync(AccountId accountId, DateTimeOffset endedFrom, DateTimeOffset endedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Records one usage in one atomic step: claims its idempotency key, checks the hard limit, adds the quantity to
    /// the meter's counter and keeps the answer on the key: all of it, or nothing. Nothing is written either when the
    /// key is already held (<see cref="UsageRecordStatus.Duplicate"/>), the limit would be passed
    /// (<see cref="UsageRecordStatus.Refused"/>) or the account is no longer at
    /// <see cref="UsageRecord.AccountVersion"/>, the version its limits were worked out from
    /// (<see cref="UsageRecordStatus.StaleAccount"/>). The first record of a period also creates its counters and its
    /// entry in the closing-day index.
    /// </summary>
    /// <exception cref="UsageNotCountedException">The store refused the request before applying it (throttled, unreachable).</exception>
    Task<UsageRecordResult> RecordAsync(UsageRecord record, CancellationToken cancellationToken);

    /// <summary>The claim of an idempotency key, or null when the key is unknown (or expired); claims nothing.</summary>
    Task<UsageKeyClaim?> GetKeyAsync(AccountId accountId, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Marks a threshold of a meter in a period as notified; false when it already was (someone else notifies).</summary>
    Task<bool> TryMarkThresholdAsync(AccountId accountId, UsagePeriodKey periodKey, MeterName meter, int percent, CancellationToken cancellationToken);

    /// <summary>Clears a threshold mark whose notification could not be sent, so the next count sends it.</summary>
    Task UnmarkThresholdAsync(AccountId accountId, UsagePeriodKey periodKey, MeterName meter, int percent, CancellationToken cancellationToken);

    /// <summary>
    /// The (account, period) pairs with usage whose period ends on <paramref name="day"/> (UTC) and that are not
    /// invoiced yet, from the index (one partition).
    /// </summary>
    Task<IReadOnlyList<UsagePeriodEntry>> ListPeriodsEndingAsync(DateOnly day, CancellationToken cancellationToken);

    /// <summary>
    /// The entries of <see cref="ListPeriodsEndingAsync(DateOnly, CancellationToken)"/> of one account only, reading
    /// that account's entries and no other's (an operator's run for one account).
    /// </summary>
    Task<IReadOnlyList<UsagePeriodEntry>> ListPeriodsEndingAsync(DateOnly day, AccountId accountId, CancellationToken cancellationToken);

    /// <summary>
    /// Every entry of the closing-day index whose period ends on <paramref name="day"/> (UTC), invoiced or not (an
    /// invoiced one until its retention, <c>InvoicingOptions.MaxLookbackDays</c> after it was marked, removes it): what
    /// the backfill of a month's run index (<see cref="Invoicing.InvoicingRuns.BackfillRunIndexAsync"/>) reads.
    /// </summary>
    Task<IReadOnlyList<UsagePeriodEntry>> ListAllPeriodsEndingAsync(DateOnly day, CancellationToken cancellationToken);

    /// <summary>Marks the period's index entry as invoiced, so the invoicing timer stops listing it.</summary>
    Task MarkPeriodInvoicedAsync(AccountId accountId, UsagePeriodKey periodKey, DateTimeOffset periodEnd, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a period's end to where Stripe has it: later (a delayed renewal, a longer trial) or earlier (the
    /// subscription ended at once, its billing period restarted): an index entry on the new closing day first, then the
    /// old day's entry goes (or, moved within its day, takes the new end), then the counters' end (last: a stopped move's redelivery finds them unmoved and finishes it). So the invoicing timer finds the period once it has really closed,
    /// and its invoice carries the dates it ran. The counters keep the account version their end was set from
    /// (<see cref="PeriodEndMove.AccountVersion"/>, never lowered): a move from an older account state than that one
    /// (<see cref="PeriodEndMove.AppliesOver"/>) changes nothing and answers false, so an end Stripe set stays whichever
    /// order the moves land in. Nothing happens either when there are no counters, they end at the new end already (then
    /// only a newer version is stamped), or the period was invoiced; every step may be repeated.
    /// </summary>
    /// <returns>False when the move was refused as older than the counters' end; true otherwise.</returns>
    Task<bool> MovePeriodEndAsync(AccountId accountId, UsagePeriodKey periodKey, PeriodEndMove move, CancellationToken cancellationToken);

    /// <summary>
    /// Records that <paramref name="plan"/> now includes <paramref name="included"/> units of <paramref name="meter"/> in the
    /// period (an add-on bought, revoked or expired since its last count), with the meter's <paramref name="allowances"/>
    /// in the order they are used, as a count does (<see cref="UsageCounters.WithIncluded"/>: what add-ons that stopped
    /// applying covered stays covered, nothing more of them), when the period's counters exist and were last counted
    /// under that plan; otherwise nothing changes (the next count records it). What invoicing prices the stretch with.
    /// </summary>
    Task SetIncludedAsync(AccountId accountId, UsagePeriodKey periodKey, PlanCode plan, MeterName meter, long included, IReadOnlyList<MeterAllowance> allowances, CancellationToken cancellationToken);
}
