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
            return Outcome.Invalid<RecordedUsage>("occurredAt", occurredAtError);
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
        if (await ledger.ClaimKeyAsync(claim, cancellationToken).ConfigureAwait(false) is { } first)
        {
            return await ReplayAsync(claim, first, entitlement, cancellationToken).ConfigureAwait(false);
        }

        UsageConsumeResult result;
        try
        {
            result = await ledger.TryConsumeAsync(
                new UsageConsumption(accountId.Value, entitlement.Period, meter.Value, quantity.Value, policy.HardLimit, entitlement.Plan.Code, policy.Enforcement == MeterEnforcement.Overage ? policy.Quota : null),
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await GiveBackAsync(claim).ConfigureAwait(false);
            throw;
        }

        if (!result.Consumed)
        {
            await GiveBackAsync(claim).ConfigureAwait(false);

            // At the hard limit no count follows, so a threshold whose notification failed is retried by refused attempts.
            await thresholds.NotifyAsync(accountId.Value, entitlement, policy, result, now, cancellationToken).ConfigureAwait(false);
            return Outcome.Refused<RecordedUsage>(UsageRefusals.QuotaExceeded(catalog, entitlement, policy, result.Counter, string.Create(CultureInfo.InvariantCulture, $" per period; {result.Counter} are used, so {quantity.Value} more would pass it")));
        }

        await thresholds.NotifyAsync(accountId.Value, entitlement, policy, result, now, cancellationToken).ConfigureAwait(false);
        return Outcome.Succeeded(RecordedUsage.From(claim, policy, result.Counter, replayed: false));
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

    private async Task<Outcome<RecordedUsage>> ReplayAsync(UsageKeyClaim claim, UsageKeyClaim first, Entitlement entitlement, CancellationToken cancellationToken)
    {
        if (!claim.SameUsageAs(first))
        {
            return Outcome.Refused<RecordedUsage>(
                RefusalReason.IdempotencyKeyReused,
                string.Create(CultureInfo.InvariantCulture, $"The idempotency key was already used at {first.RecordedAt:O} for {first.Quantity} {first.Meter}; use a new key for new usage."));
        }

        var counters = await ledger.GetAsync(first.AccountId, first.PeriodKey, cancellationToken).ConfigureAwait(false);
        var policy = (first.PeriodKey == entitlement.PeriodKey ? entitlement.Plan : counters?.Plan is { } code ? catalog.Find(code) ?? entitlement.Plan : entitlement.Plan).PolicyFor(first.Meter);
        LogReplayed(first.Meter.Value);
        return Outcome.Succeeded(RecordedUsage.From(first, policy, counters?.Used(first.Meter) ?? 0, replayed: true));
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

    [LoggerMessage(Level = LogLevel.Error, Message = "An idempotency key for {Meter} could not be given back after nothing was counted; a retry with it will be answered as recorded")]
    private partial void LogKeyNotReleased(Exception exception, string meter);
}
