using System.Globalization;
using Billing.Application.Accounts;
using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Usage;

/// <summary>
/// Records consumption for the product's backend (<c>POST /api/usage</c>, <c>/usage/batch</c>, <c>/usage/check</c>).
/// One record: a point read of the account (its limits and period follow its state at this instant), the atomic
/// claim of the idempotency key, then one conditional increment of the period's counter, which the store refuses
/// rather than let a hard limit be passed. A refused or failed count gives the key back, so nothing is recorded.
/// </summary>
public sealed partial class UsageRecording(
    IBillingAccountStore accounts,
    AccountEntitlements entitlements,
    PlanCatalog catalog,
    IUsageLedger ledger,
    UsageThresholds thresholds,
    IOptions<UsageOptions> options,
    TimeProvider time,
    ILogger<UsageRecording> logger)
{
    private const int BatchParallelism = 8;

    /// <summary>How often a retry polls a key whose first call is still counting, and how many times (about 5 seconds).</summary>
    private const int MaxClaimAttempts = 25;

    private static readonly TimeSpan ClaimPollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>A key claimed this long ago and never settled belongs to a call that died (the function timeout is 5 minutes).</summary>
    private static readonly TimeSpan AbandonedClaimAge = TimeSpan.FromMinutes(6);

    public async Task<Outcome<RecordedUsage>> RecordAsync(UsageRecordRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var accountId = UsageFields.Account(request.AccountId, errors);
        var meter = UsageFields.Meter(request.Meter, catalog, MeterKind.Consumption, errors);
        var quantity = UsageFields.Quantity(request.Quantity, errors);
        var key = UsageFields.Key(request.IdempotencyKey, errors);
        var now = time.GetUtcNow();
        var rules = options.Value;
        if (request.OccurredAt is { } future && future > now + rules.ClockSkew)
        {
            errors.Add("occurredAt", "Must not be in the future.");
        }

        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<RecordedUsage>(errors);
        }

        var account = await accounts.GetAsync(accountId!.Value, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return UsageRefusals.UnknownAccount<RecordedUsage>(accountId.Value);
        }

        var entitlement = entitlements.Evaluate(account, now);
        var occurredAt = request.OccurredAt ?? now;
        if (OccurredAtError(occurredAt, entitlement.Period, now, rules) is { } occurredAtError)
        {
            // A late retry of usage recorded in time (e.g. after the period rolled over) still gets its first answer.
            return await ledger.GetKeyAsync(accountId.Value, key!, cancellationToken).ConfigureAwait(false) is { Counted: { } counted } known
                   && known.Meter == meter!.Value && known.Quantity == quantity
                ? Outcome.Succeeded(RecordedUsage.Replay(known, counted))
                : Outcome.Invalid<RecordedUsage>("occurredAt", occurredAtError);
        }

        var policy = entitlement.PolicyFor(meter!.Value);
        var claim = new UsageKeyClaim
        {
            AccountId = accountId.Value,
            IdempotencyKey = key!,
            Meter = meter.Value,
            Quantity = quantity!.Value,
            PeriodKey = entitlement.PeriodKey,
            PeriodStart = entitlement.PeriodStart,
            PeriodEnd = entitlement.PeriodEnd,
            OccurredAt = occurredAt,
            RecordedAt = now,
            Retention = rules.KeyRetention,
        };
        for (var attempt = 0; attempt < MaxClaimAttempts; attempt++)
        {
            var holder = await ledger.ClaimKeyAsync(claim, cancellationToken).ConfigureAwait(false);
            if (holder is null)
            {
                return await CountAsync(claim, entitlement, policy, now, cancellationToken).ConfigureAwait(false);
            }

            if (!claim.SameUsageAs(holder))
            {
                return Outcome.Refused<RecordedUsage>(
                    RefusalReason.IdempotencyKeyReused,
                    string.Create(CultureInfo.InvariantCulture, $"The idempotency key was already used at {holder.RecordedAt:O} for {holder.Quantity} {holder.Meter}; use a new key for new usage."));
            }

            if (holder.Counted is { } counted)
            {
                LogReplayed(holder.Meter.Value);
                return Outcome.Succeeded(RecordedUsage.Replay(holder, counted));
            }

            if (time.GetUtcNow() - holder.RecordedAt >= AbandonedClaimAge)
            {
                // The first call stopped between claiming and settling (a crash): its usage may or may not be counted.
                // Counting again could count it twice; answering it as recorded never does.
                LogAbandonedClaim(holder.Meter.Value);
                var counters = await ledger.GetAsync(holder.AccountId, holder.PeriodKey, cancellationToken).ConfigureAwait(false);
                var used = counters?.Used(holder.Meter) ?? 0;
                return Outcome.Succeeded(RecordedUsage.Replay(holder, new CountedUsage(used, policy.Quota, policy.Quota is { } q ? Math.Max(0, q - used) : null, policy.OverageQuantity(used))));
            }

            // The first call with this key is counting right now: wait for its answer (or for it to give the key back).
            await Task.Delay(ClaimPollInterval, time, cancellationToken).ConfigureAwait(false);
        }

        return Outcome.Refused<RecordedUsage>(RefusalReason.UsageInProgress, "Another call with this idempotency key is still being recorded; retry in a few seconds to get its answer.");
    }

    private async Task<Outcome<RecordedUsage>> CountAsync(UsageKeyClaim claim, Entitlement entitlement, MeterPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        UsageConsumeResult result;
        try
        {
            result = await ledger.TryConsumeAsync(
                new UsageConsumption(claim.AccountId, entitlement.Period, claim.Meter, claim.Quantity, policy.HardLimit, entitlement.Plan.Code, policy.Enforcement == MeterEnforcement.Overage ? policy.Quota : null),
                cancellationToken).ConfigureAwait(false);
        }
        catch (UsageNotCountedException)
        {
            await GiveBackAsync(claim).ConfigureAwait(false);
            throw;
        }
        catch (Exception exception)
        {
            // It may have been applied (a timeout on the way back): the key stays claimed, so a retry waits and is then
            // answered as recorded; at worst this record goes uncounted, never counted twice.
            LogCountUncertain(exception, claim.Meter.Value);
            throw;
        }

        if (!result.Consumed)
        {
            await GiveBackAsync(claim).ConfigureAwait(false);

            // At the hard limit no count follows, so a threshold whose notification failed is retried by refused attempts.
            await thresholds.NotifyAsync(claim.AccountId, entitlement, policy, result, now, cancellationToken).ConfigureAwait(false);
            return Outcome.Refused<RecordedUsage>(UsageRefusals.QuotaExceeded(catalog, entitlement, policy, result.Counter, string.Create(CultureInfo.InvariantCulture, $" per period; {result.Counter} are used, so {claim.Quantity} more would pass it")));
        }

        var used = result.Counter;
        var counted = new CountedUsage(used, policy.Quota, policy.Quota is { } quota ? Math.Max(0, quota - used) : null, policy.OverageQuantity(used));
        await SettleAsync(claim, counted).ConfigureAwait(false);
        await thresholds.NotifyAsync(claim.AccountId, entitlement, policy, result, now, cancellationToken).ConfigureAwait(false);
        return Outcome.Succeeded(RecordedUsage.First(claim, counted));
    }

    /// <summary>
    /// Records up to <see cref="UsageOptions.MaxBatchRecords"/> records, each with its own outcome in input order.
    /// Records of one account are applied in order (so a limit is consumed in the order sent); accounts in parallel.
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
                foreach (var index in group)
                {
                    outcomes[index] = await RecordAsync(records[index], ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>Whether the quantity would be recorded now, and the meter's state; changes nothing.</summary>
    public async Task<Outcome<UsageCheck>> CheckAsync(UsageCheckRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var accountId = UsageFields.Account(request.AccountId, errors);
        var meter = UsageFields.Meter(request.Meter, catalog, MeterKind.Consumption, errors);
        var quantity = UsageFields.Quantity(request.Quantity, errors);
        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<UsageCheck>(errors);
        }

        var account = await accounts.GetAsync(accountId!.Value, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return UsageRefusals.UnknownAccount<UsageCheck>(accountId.Value);
        }

        var entitlement = entitlements.Evaluate(account, time.GetUtcNow());
        var policy = entitlement.PolicyFor(meter!.Value);
        var counters = await ledger.GetAsync(accountId.Value, entitlement.PeriodKey, cancellationToken).ConfigureAwait(false);
        var used = counters?.Used(meter.Value) ?? 0;
        var allowed = policy.HardLimit is not { } limit || used + quantity!.Value <= limit;
        return Outcome.Succeeded(new UsageCheck
        {
            Allowed = allowed,
            Meter = meter.Value,
            Used = used,
            Limit = policy.Quota,
            Remaining = policy.Quota is { } quota ? Math.Max(0, quota - used) : null,
            HardLimit = policy.HardLimit is not null,
            Plan = entitlement.Plan.Code,
            UpgradePlan = allowed ? null : UsageRefusals.UpgradeFor(catalog, meter.Value, policy.HardLimit!.Value)?.Code,
            PeriodStart = entitlement.PeriodStart,
            PeriodEnd = entitlement.PeriodEnd,
        });
    }

    private static string? OccurredAtError(DateTimeOffset occurredAt, UsagePeriod period, DateTimeOffset now, UsageOptions rules)
    {
        if (occurredAt < period.Start)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Must be in the account's current usage period, which started at {period.Start:O}.");
        }

        return occurredAt < now - rules.LateWindow
            ? string.Create(CultureInfo.InvariantCulture, $"Is older than the late window ({rules.LateWindow}); such usage is no longer accepted.")
            : null;
    }

    private async Task SettleAsync(UsageKeyClaim claim, CountedUsage counted)
    {
        try
        {
            await ledger.SettleKeyAsync(claim, counted, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The usage is counted; an unsettled key only makes a retry wait, then answer it as recorded.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogKeyNotSettled(exception, claim.Meter.Value);
        }
    }

    private async Task GiveBackAsync(UsageKeyClaim claim)
    {
        try
        {
            await ledger.ReleaseKeyAsync(claim.AccountId, claim.IdempotencyKey, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The key stays claimed: a retry is answered as recorded, so nothing is counted twice.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogKeyNotReleased(exception, claim.Meter.Value);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage of {Meter} was a retry of an idempotency key already recorded; nothing counted")]
    private partial void LogReplayed(string meter);

    [LoggerMessage(Level = LogLevel.Error, Message = "Counting usage of {Meter} failed and may or may not have been applied; its idempotency key stays claimed so a retry cannot count it twice")]
    private partial void LogCountUncertain(Exception exception, string meter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An idempotency key for {Meter} was claimed by a call that never finished; its retry is answered as recorded, without counting")]
    private partial void LogAbandonedClaim(string meter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage of {Meter} was counted but its idempotency key could not be settled; a retry waits, then gets the counter as it stands")]
    private partial void LogKeyNotSettled(Exception exception, string meter);

    [LoggerMessage(Level = LogLevel.Error, Message = "An idempotency key for {Meter} could not be given back after nothing was counted; a retry with it will be answered as recorded")]
    private partial void LogKeyNotReleased(Exception exception, string meter);
}
