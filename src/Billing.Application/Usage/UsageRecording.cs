using System.Globalization;
using Billing.Application.Accounts;
using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Usage;

/// <summary>
/// Records consumption for the product's backend (<c>POST /api/usage</c>, <c>/usage/batch</c>, <c>/usage/check</c>).
/// One record is one atomic request to the ledger: claim the idempotency key, check the hard limit, count, keep the
/// answer. The limits come from the account as this instance last read it (<see cref="RecentAccounts"/>); the ledger
/// applies the record only while the account is still at that version, otherwise the account is read again and the
/// record retried, so limits follow the account's state at the instant of the count.
/// </summary>
public sealed partial class UsageRecording(
    RecentAccounts accounts,
    AccountEntitlements entitlements,
    PlanCatalog catalog,
    IUsageLedger ledger,
    UsageThresholds thresholds,
    IOptions<UsageOptions> options,
    TimeProvider time,
    ILogger<UsageRecording> logger)
{
    private const int BatchParallelism = 8;

    /// <summary>How many times a record is tried against an account that keeps changing under it.</summary>
    private const int MaxAccountAttempts = 5;

    public Task<Outcome<RecordedUsage>> RecordAsync(UsageRecordRequest request, CancellationToken cancellationToken) =>
        RecordAsync(request, unregistered: false, cancellationToken);

    /// <param name="request">The record.</param>
    /// <param name="unregistered">An earlier record of the same call (a batch) found its account unregistered: refused
    /// as such once its fields are valid, without reading the account again.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    private async Task<Outcome<RecordedUsage>> RecordAsync(UsageRecordRequest request, bool unregistered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var accountId = UsageFields.Account(request.AccountId, errors);
        var meter = UsageFields.Meter(request.Meter, catalog, MeterKind.Consumption, errors);
        var quantity = UsageFields.Quantity(request.Quantity, errors);
        var key = UsageFields.Key(request.IdempotencyKey, errors);
        var now = time.GetUtcNow();
        var rules = options.Value;
        CheckNotInFuture(request.OccurredAt, now, rules, errors);
        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<RecordedUsage>(errors);
        }

        var id = accountId!.Value;
        var account = unregistered ? null : await accounts.GetAsync(id, cancellationToken).ConfigureAwait(false);
        var fresh = false;
        var occurredAt = request.OccurredAt ?? now;
        var at = PeriodInstant(occurredAt, now);
        for (var attempt = 1; account is not null && attempt <= MaxAccountAttempts; attempt++)
        {
            var entitlement = entitlements.Evaluate(account, at);
            var occurredAtError = OccurredAtError(request.OccurredAt, entitlement, now, rules);
            if (occurredAtError is not null && !fresh)
            {
                // The period comes from this instance's copy of the account, which may predate a change that moved its
                // start (a cancellation falling back to the calendar month): refuse only on the stored account.
                account = await accounts.ReadAsync(accountId.Value, cancellationToken).ConfigureAwait(false);
                fresh = true;
                if (account is null)
                {
                    break;
                }

                entitlement = entitlements.Evaluate(account, at);
                occurredAtError = OccurredAtError(request.OccurredAt, entitlement, now, rules);
            }

            if (occurredAtError is not null)
            {
                // A late retry of usage recorded in time (e.g. after the period rolled over, or past the late window
                // in the same period) still gets its first answer, and sends its thresholds as any replay does.
                if (await ledger.GetKeyAsync(accountId.Value, key!, cancellationToken).ConfigureAwait(false) is { Counted: { } counted } known
                    && known.Meter == meter!.Value && known.Quantity == quantity)
                {
                    await NotifyReplayedAsync(known, counted, entitlement, now, cancellationToken).ConfigureAwait(false);
                    return Outcome.Succeeded(RecordedUsage.Replay(known, counted));
                }

                return Outcome.Invalid<RecordedUsage>("occurredAt", occurredAtError);
            }

            var policy = entitlement.PolicyFor(meter!.Value);
            var consumption = new UsageConsumption(
                accountId.Value, entitlement.Period, meter.Value, quantity!.Value, policy.HardLimit, entitlement.Plan.Code, policy.Included, policy.Included is null ? null : entitlement.AllowancesOf(meter.Value),
                entitlement.PeriodKey.IsSubscriptionPeriod ? account.Subscription?.SubscriptionId : null);
            var record = UsageRecord.Of(consumption, key!, occurredAt, now, rules.KeyRetention, account.Version);
            var claim = record.Key;
            var result = await ledger.RecordAsync(record, cancellationToken).ConfigureAwait(false);
            switch (result.Status)
            {
                case UsageRecordStatus.Counted:
                    // The answer's limit: the hard limit, or the included units as recorded (with what lapsed add-ons covered).
                    await thresholds.NotifyAsync(claim.AccountId, entitlement, policy, result.Key!.Counted!.Limit, result.Count!, now, cancellationToken).ConfigureAwait(false);
                    return Outcome.Succeeded(RecordedUsage.First(result.Key!, result.Key!.Counted!));

                case UsageRecordStatus.Refused:
                    // At the hard limit no count follows, so a threshold whose notification failed is retried by refused attempts.
                    await thresholds.NotifyAsync(claim.AccountId, entitlement, policy, policy.HardLimit, result.Count!, now, cancellationToken).ConfigureAwait(false);
                    return Outcome.Refused<RecordedUsage>(UsageRefusals.QuotaExceeded(catalog, entitlement, policy, result.Count!.Counter, UsageRefusals.Needed(result.Count.Counter, claim.Quantity), string.Create(CultureInfo.InvariantCulture, $" per period; {result.Count.Counter} used, so {claim.Quantity} more would pass it")));

                case UsageRecordStatus.Duplicate:
                    return await ReplayAsync(claim, result.Key!, consumption, entitlement, now, cancellationToken).ConfigureAwait(false);

                case UsageRecordStatus.CounterFull:
                    return Outcome.Refused<RecordedUsage>(
                        RefusalReason.CounterFull,
                        string.Create(CultureInfo.InvariantCulture, $"The {claim.Meter} counter of this period would pass {UsageCounters.MaxCount} units, the most it holds; nothing was recorded and the key stays free."));

                default:
                    LogAccountChanged(claim.Meter.Value, attempt);
                    account = await accounts.ReadAsync(accountId.Value, cancellationToken).ConfigureAwait(false);
                    fresh = true;
                    break;
            }
        }

        return account is null
            ? UsageRefusals.UnknownAccount<RecordedUsage>(accountId.Value)
            : throw new UsageNotCountedException($"Account '{accountId}' changed under each of {MaxAccountAttempts} attempts to record usage; nothing was counted.");
    }

    /// <summary>
    /// The answer for a key an earlier record holds: its first answer, or a refusal when the key was used for other usage.
    /// A replay in the current period also sends the thresholds its first count reached: that count's own notification
    /// may never have been sent (its caller went away, its host stopped), and the retry may be the meter's last record of
    /// the period. The thresholds' marks keep it to one notification each.
    /// </summary>
    private async Task<Outcome<RecordedUsage>> ReplayAsync(UsageKeyClaim claim, UsageKeyClaim holder, UsageConsumption consumption, Entitlement entitlement, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!claim.SameUsageAs(holder))
        {
            return Outcome.Refused<RecordedUsage>(
                RefusalReason.IdempotencyKeyReused,
                string.Create(CultureInfo.InvariantCulture, $"The idempotency key was already used at {holder.RecordedAt:O} for {holder.Quantity} {holder.Meter}; use a new key for new usage."));
        }

        LogReplayed(holder.Meter.Value);
        if (holder.Counted is { } counted)
        {
            await NotifyReplayedAsync(holder, counted, entitlement, now, cancellationToken).ConfigureAwait(false);
            return Outcome.Succeeded(RecordedUsage.Replay(holder, counted));
        }

        // A key without its answer was claimed by a version of this service that claimed and counted in separate
        // steps, and never settled: its usage may or may not be counted. Answering it as recorded never counts twice.
        LogUnsettledKey(holder.AccountId.Value, holder.Meter.Value);
        var counters = await ledger.GetAsync(holder.AccountId, holder.PeriodKey, cancellationToken).ConfigureAwait(false)
                       ?? new UsageCounters { AccountId = holder.AccountId, Period = consumption.Period, Counters = new Dictionary<MeterName, long>() };
        return Outcome.Succeeded(RecordedUsage.Replay(holder, consumption.AnswerAt(counters.UnderPlan(consumption.Plan))));
    }

    /// <summary>
    /// A replay whose key was counted in the current period sends the thresholds its first count reached and that are
    /// still unsent (see <see cref="ReplayAsync"/>); one of a closed period sends nothing.
    /// </summary>
    private async Task NotifyReplayedAsync(UsageKeyClaim holder, CountedUsage counted, Entitlement entitlement, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (holder.PeriodKey == entitlement.PeriodKey)
        {
            await thresholds.NotifyAsync(holder.AccountId, entitlement, entitlement.PolicyFor(holder.Meter), counted.Limit, new UsageConsumeResult(true, counted.Used, []), now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Records up to <see cref="UsageOptions.MaxBatchRecords"/> records, each with its own outcome in input order.
    /// Records of one account are applied in order (so a limit is consumed in the order sent); accounts in parallel. An
    /// account found unregistered is read once: its later records are refused the same way without reading it again.
    /// A record the store did not take (<see cref="UsageNotCountedException"/>: throttled, unreachable, busy; or the
    /// account could not be read, <see cref="ServiceUnavailableException"/>) gets its
    /// own <see cref="RefusalReason.UsageNotCounted"/> outcome, and the records after it are still recorded.
    /// </summary>
    public async Task<IReadOnlyList<Outcome<RecordedUsage>>> RecordBatchAsync(IReadOnlyList<UsageRecordRequest> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count > UsageOptions.MaxBatchRecords)
        {
            throw new ArgumentException($"At most {UsageOptions.MaxBatchRecords} records per batch.", nameof(records));
        }

        var outcomes = new Outcome<RecordedUsage>[records.Count];
        var groups = Enumerable.Range(0, records.Count).GroupBy(i => records[i].AccountId ?? string.Empty, StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            groups,
            new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
            async (group, ct) =>
            {
                var unregistered = false;
                foreach (var index in group)
                {
                    try
                    {
                        outcomes[index] = await RecordAsync(records[index], unregistered, ct).ConfigureAwait(false);
                        unregistered |= outcomes[index] is Refused<RecordedUsage> { Refusal.Reason: RefusalReason.AccountNotFound };
                    }
                    catch (Exception exception) when (exception is UsageNotCountedException or ServiceUnavailableException)
                    {
                        LogNotCounted(index, records[index].AccountId, records[index].Meter, exception.Message);
                        outcomes[index] = Outcome.Refused<RecordedUsage>(
                            RefusalReason.UsageNotCounted,
                            exception is ServiceUnavailableException { MayHaveBeenDone: true }
                                ? "The usage store did not answer in time; this record may have been counted. Send it again with the same idempotency key: it is counted once."
                                : "The usage store did not take this record; nothing was counted for it. Send it again with the same idempotency key.");
                    }
                }
            }).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>
    /// Whether the quantity would be recorded now (or, with <see cref="UsageCheckRequest.OccurredAt"/>, as a record
    /// stamped then: the same period and the same refusals), and the meter's state; changes nothing.
    /// </summary>
    public async Task<Outcome<UsageCheck>> CheckAsync(UsageCheckRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var accountId = UsageFields.Account(request.AccountId, errors);
        var meter = UsageFields.Meter(request.Meter, catalog, MeterKind.Consumption, errors);
        var quantity = UsageFields.Quantity(request.Quantity, errors);
        var now = time.GetUtcNow();
        var rules = options.Value;
        CheckNotInFuture(request.OccurredAt, now, rules, errors);
        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<UsageCheck>(errors);
        }

        var account = await accounts.ReadAsync(accountId!.Value, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return UsageRefusals.UnknownAccount<UsageCheck>(accountId.Value);
        }

        var occurredAt = request.OccurredAt ?? now;
        var entitlement = entitlements.Evaluate(account, PeriodInstant(occurredAt, now));
        if (OccurredAtError(request.OccurredAt, entitlement, now, rules) is { } occurredAtError)
        {
            return Outcome.Invalid<UsageCheck>("occurredAt", occurredAtError);
        }

        var policy = entitlement.PolicyFor(meter!.Value);
        var counters = await ledger.GetAsync(accountId.Value, entitlement.PeriodKey, cancellationToken).ConfigureAwait(false);
        var used = counters?.Used(meter.Value) ?? 0;
        var allowed = policy.HardLimit is not { } limit || used + quantity!.Value <= limit;
        var quota = MeterUsage.QuotaOf(policy, counters is null ? null : entitlement.CountersNow(counters)); // as the usage view shows it
        return Outcome.Succeeded(new UsageCheck
        {
            Allowed = allowed,
            Meter = meter.Value,
            Used = used,
            Limit = quota,
            Remaining = quota is { } q ? Math.Max(0, q - used) : null,
            HardLimit = policy.HardLimit is not null,
            Plan = entitlement.Plan.Code,
            UpgradePlan = allowed ? null : UsageRefusals.UpgradeFor(catalog, entitlement, meter.Value, policy.HardLimit!.Value, UsageRefusals.Needed(used, quantity!.Value))?.Code,
            PeriodStart = entitlement.PeriodStart,
            PeriodEnd = entitlement.PeriodEnd,
        });
    }

    private static void CheckNotInFuture(DateTimeOffset? occurredAt, DateTimeOffset now, UsageOptions rules, ValidationErrors errors)
    {
        if (occurredAt is { } future && future > now + rules.ClockSkew)
        {
            errors.Add("occurredAt", "Must not be in the future.");
        }
    }

    /// <summary>
    /// The instant whose period a record belongs to. Usage that occurred ahead of our clock (within the allowed skew)
    /// belongs to the period it occurred in: a call seconds after the caller's period ended is counted against the new
    /// period's quota, not billed in the old one.
    /// </summary>
    private static DateTimeOffset PeriodInstant(DateTimeOffset occurredAt, DateTimeOffset now) => occurredAt > now ? occurredAt : now;

    /// <summary>
    /// Why an <c>occurredAt</c> sent is refused; null when it is accepted or none was sent. Usage sent without one occurred
    /// now, in the period the account's entitlement gives now, also when that period starts a moment after our clock
    /// (Stripe's clock ahead of ours on a new or renewed subscription): a record answers as its check does, never a 400 on
    /// a field not sent.
    /// </summary>
    private static string? OccurredAtError(DateTimeOffset? sent, Entitlement entitlement, DateTimeOffset now, UsageOptions rules)
    {
        if (sent is not { } occurredAt)
        {
            return null;
        }

        if (occurredAt < entitlement.Period.Start)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Must be in the account's current usage period, which started at {entitlement.Period.Start:O}.");
        }

        if (occurredAt < entitlement.UsageStart)
        {
            // Late usage of the paid access that ended this month belongs to that access's period, not to the free plan's.
            return string.Create(CultureInfo.InvariantCulture, $"Must be in the account's current usage period: the account's paid access ended at {entitlement.UsageStart:O}, and usage before it is not counted on the free plan.");
        }

        return occurredAt < now - rules.LateWindow
            ? string.Create(CultureInfo.InvariantCulture, $"Is older than the late window ({rules.LateWindow}); such usage is no longer accepted.")
            : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch record {Index} ({Meter} of account {AccountId}) was not counted: {Reason}; its result says so and the batch goes on")]
    private partial void LogNotCounted(int index, string? accountId, string? meter, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage of {Meter} was a retry of an idempotency key already recorded; nothing counted")]
    private partial void LogReplayed(string meter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An idempotency key for {Meter} of account {AccountId} holds no answer (claimed by an earlier version that never settled it); its retry is answered as recorded, without counting")]
    private partial void LogUnsettledKey(string accountId, string meter);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The account changed since its limits were read; recording {Meter} again with the account as stored (attempt {Attempt})")]
    private partial void LogAccountChanged(string meter, int attempt);
}
