using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// The usage ledger in memory with the contract of the Cosmos one, every operation atomic under one lock: a record
/// checks the account's version (when <paramref name="accountVersion"/> is given), claims its key, never passes a
/// limit and keeps its answer, all or nothing; keys expire after their retention when a clock is given; threshold
/// marks only one caller sets; the closing-day index lists a period once something was counted in it, until it is
/// marked invoiced. Tests can also set counters directly, make records fail, and read what was done.
/// </summary>
internal sealed class InMemoryUsageLedger(TimeProvider? time = null, Func<AccountId, long?>? accountVersion = null) : IUsageLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(AccountId, UsagePeriodKey), Period> _periods = [];
    private readonly Dictionary<(AccountId, UsagePeriodKey), Period> _entriesWithoutCounters = [];
    private readonly Dictionary<(AccountId, string), UsageKeyClaim> _keys = [];
    private readonly List<UsageConsumption> _consumptions = [];
    private int _reads;
    private UsagePeriodKey? _lastReadKey;
    private int _countersListed;

    /// <summary>Counter reads (<see cref="GetAsync"/>).</summary>
    public int Reads
    {
        get
        {
            lock (_gate)
            {
                return _reads;
            }
        }
    }

    public UsagePeriodKey? LastReadKey
    {
        get
        {
            lock (_gate)
            {
                return _lastReadKey;
            }
        }
    }

    /// <summary>Every consumption the ledger counted, in the order it counted them.</summary>
    public IReadOnlyList<UsageConsumption> Consumed
    {
        get
        {
            lock (_gate)
            {
                return [.. _consumptions];
            }
        }
    }

    /// <summary>Counters documents the listing queries returned (what a query of the account's partition reads and pays for).</summary>
    public int CountersListed
    {
        get
        {
            lock (_gate)
            {
                return _countersListed;
            }
        }
    }

    /// <summary>Calls of <see cref="RecordAsync"/>, whatever their outcome.</summary>
    public int RecordCalls { get; private set; }

    public int MarkCalls { get; private set; }

    /// <summary>When set, <see cref="RecordAsync"/> throws it (after validating its arguments) and writes nothing.</summary>
    public Exception? FailRecordWith { get; set; }

    /// <summary>Awaited before each record is applied (to make a test's records overlap or arrive late, or change the account meanwhile).</summary>
    public Func<UsageConsumption, Task>? BeforeRecord { get; set; }

    /// <summary>Awaited after each record is applied, with its result (to act between a count and what follows it).</summary>
    public Func<UsageRecordResult, Task>? AfterRecord { get; set; }

    /// <summary>When set, <see cref="TryMarkThresholdAsync"/> throws it and marks nothing.</summary>
    public Exception? FailMarkWith { get; set; }

    /// <summary>When set, <see cref="TryMarkThresholdAsync"/> marks, then throws it (the answer lost after the store applied the write).</summary>
    public Exception? LoseMarkAnswerWith { get; set; }

    /// <summary>When set, <see cref="UnmarkThresholdAsync"/> throws it and clears nothing.</summary>
    public Exception? FailUnmarkWith { get; set; }

    /// <summary>When set, <see cref="SetIncludedAsync"/> throws it and records nothing.</summary>
    public Exception? FailSetIncludedWith { get; set; }

    /// <summary>Sets a meter's counter (creating the period), as if that much had been counted.</summary>
    public void Set(AccountId accountId, UsagePeriod period, MeterName meter, long value, PlanCode? plan = null, long? included = null)
    {
        ArgumentNullException.ThrowIfNull(period);
        lock (_gate)
        {
            var state = PeriodOf(accountId, period);
            state.Counters[meter] = value;
            state.Plan = plan ?? state.Plan;
            if (included is { } units)
            {
                state.Included[meter] = units;
            }
        }
    }

    /// <summary>The claim holding the key now, if any.</summary>
    public UsageKeyClaim? ClaimOf(AccountId accountId, string idempotencyKey)
    {
        lock (_gate)
        {
            return Live(accountId, idempotencyKey);
        }
    }

    /// <summary>The thresholds of the meter marked as notified in the period.</summary>
    public IReadOnlyList<int> MarksOf(AccountId accountId, UsagePeriodKey periodKey, MeterName meter)
    {
        lock (_gate)
        {
            return _periods.TryGetValue((accountId, periodKey), out var state) ? Notified(state, meter) : [];
        }
    }

    public Task<UsageCounters?> GetAsync(AccountId accountId, UsagePeriodKey periodKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _reads++;
            _lastReadKey = periodKey;
            return Task.FromResult(_periods.TryGetValue((accountId, periodKey), out var state) ? ToCounters(accountId, state) : null);
        }
    }

    public Task<IReadOnlyList<UsageCounters>> ListStartedAsync(AccountId accountId, DateTimeOffset startedFrom, DateTimeOffset startedBefore, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<UsageCounters> started = [.. _periods
                .Where(p => p.Key.Item1 == accountId && p.Value.Window.Start >= startedFrom && p.Value.Window.Start < startedBefore)
                .Select(p => ToCounters(accountId, p.Value))
                .OrderBy(c => c.Period.Start)];
            _countersListed += started.Count;
            return Task.FromResult(started);
        }
    }

    public Task<IReadOnlyList<UsageCounters>> ListEndedAsync(AccountId accountId, DateTimeOffset endedFrom, DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<UsageCounters> ended = [.. _periods
                .Where(p => p.Key.Item1 == accountId && p.Value.Window.End >= endedFrom && p.Value.Window.End < endedBefore)
                .Select(p => ToCounters(accountId, p.Value))
                .OrderBy(c => c.Period.End)];
            _countersListed += ended.Count;
            return Task.FromResult(ended);
        }
    }

    public Task<UsageKeyClaim?> GetKeyAsync(AccountId accountId, string idempotencyKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Live(accountId, idempotencyKey));
        }
    }

    /// <summary>Puts a key as an earlier version of the service left it: claimed, without its answer.</summary>
    public void PutUnsettledKey(UsageKeyClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        lock (_gate)
        {
            _keys[(claim.AccountId, claim.IdempotencyKey)] = claim with { Counted = null };
        }
    }

    public async Task<UsageRecordResult> RecordAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var consumption = record.Consumption;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(consumption.Amount);
        if (consumption.Limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(record), consumption.Limit, "A limit must not be negative.");
        }

        if (BeforeRecord is { } before)
        {
            await before(consumption);
        }

        var result = Apply(record);
        if (AfterRecord is { } after)
        {
            await after(result);
        }

        return result;
    }

    private UsageRecordResult Apply(UsageRecord record)
    {
        var consumption = record.Consumption;
        lock (_gate)
        {
            RecordCalls++;
            if (FailRecordWith is { } failure)
            {
                throw failure;
            }

            if (record.AccountVersion is { } version && accountVersion?.Invoke(consumption.AccountId) != version)
            {
                return UsageRecordResult.StaleAccount;
            }

            if (Live(record.Key.AccountId, record.Key.IdempotencyKey) is { } holder)
            {
                return UsageRecordResult.Duplicate(holder);
            }

            var key = (consumption.AccountId, consumption.Period.Key);
            _periods.TryGetValue(key, out var state);
            var counter = state?.Counters.GetValueOrDefault(consumption.Meter) ?? 0;
            if (consumption.Limit is { } limit && counter + consumption.Amount > limit)
            {
                return UsageRecordResult.Refused(counter, state is null ? [] : Notified(state, consumption.Meter));
            }

            if (counter > UsageCounters.MaxCount - consumption.Amount)
            {
                return UsageRecordResult.CounterFull;
            }

            if (state is null)
            {
                state = PeriodOf(consumption.AccountId, consumption.Period);
                state.SubscriptionId = consumption.SubscriptionId; // written with the first count only, as the store does
            }

            // A record under another plan than the last closes that plan's stretch first, and records what is included
            // now before the unit is counted, as the store's procedure does.
            var before = ToCounters(consumption.AccountId, state).UnderPlan(consumption.Plan);
            Keep(state, consumption.Included is { } included ? before.WithIncluded(consumption.Meter, included, consumption.Allowances ?? []) : before);
            state.Counters[consumption.Meter] = counter + consumption.Amount;

            _consumptions.Add(consumption);
            var answered = record.Key with { Counted = consumption.AnswerAt(ToCounters(consumption.AccountId, state)) };
            _keys[(answered.AccountId, answered.IdempotencyKey)] = answered;
            return UsageRecordResult.Counted(answered, counter + consumption.Amount, Notified(state, consumption.Meter));
        }
    }

    public Task<bool> TryMarkThresholdAsync(AccountId accountId, UsagePeriodKey periodKey, MeterName meter, int percent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested(); // as the SDK does before sending
        lock (_gate)
        {
            MarkCalls++;
            if (FailMarkWith is { } failure)
            {
                throw failure;
            }

            // Like the store: no counters document, nothing to mark.
            var marked = _periods.TryGetValue((accountId, periodKey), out var state) && state.Notified.Add((meter, percent));
            return LoseMarkAnswerWith is { } lost ? throw lost : Task.FromResult(marked);
        }
    }

    public Task UnmarkThresholdAsync(AccountId accountId, UsagePeriodKey periodKey, MeterName meter, int percent, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (FailUnmarkWith is { } failure)
            {
                throw failure;
            }

            if (_periods.TryGetValue((accountId, periodKey), out var state))
            {
                state.Notified.Remove((meter, percent));
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// A closing-day index entry whose counters were never written (the first count stopped between its two writes, or
    /// was refused after the entry): listed until marked invoiced, no counters to read.
    /// </summary>
    public void IndexWithoutCounters(AccountId accountId, UsagePeriod period)
    {
        lock (_gate)
        {
            _entriesWithoutCounters[(accountId, period.Key)] = new Period(period);
        }
    }

    public Task<IReadOnlyList<UsagePeriodEntry>> ListPeriodsEndingAsync(DateOnly day, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<UsagePeriodEntry> ending = [.. _periods.Concat(_entriesWithoutCounters)
                .Where(p => DateOnly.FromDateTime(p.Value.Window.End.UtcDateTime) == day && p.Value.InvoicedAt is null)
                .Select(p => new UsagePeriodEntry(p.Key.Item1, p.Key.Item2, p.Value.Window.Start, p.Value.Window.End))];
            return Task.FromResult(ending);
        }
    }

    public Task<IReadOnlyList<UsagePeriodEntry>> ListAllPeriodsEndingAsync(DateOnly day, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<UsagePeriodEntry> ending = [.. _periods.Concat(_entriesWithoutCounters)
                .Where(p => DateOnly.FromDateTime(p.Value.Window.End.UtcDateTime) == day)
                .Select(p => new UsagePeriodEntry(p.Key.Item1, p.Key.Item2, p.Value.Window.Start, p.Value.Window.End))];
            return Task.FromResult(ending);
        }
    }

    public async Task<IReadOnlyList<UsagePeriodEntry>> ListPeriodsEndingAsync(DateOnly day, AccountId accountId, CancellationToken cancellationToken) =>
        [.. (await ListPeriodsEndingAsync(day, cancellationToken).ConfigureAwait(false)).Where(e => e.AccountId == accountId)];

    public Task MarkPeriodInvoicedAsync(AccountId accountId, UsagePeriodKey periodKey, DateTimeOffset periodEnd, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            MarkInvoicedCalls++;

            // Like the store: the index entry is found by the day the period ends; no entry, nothing to mark.
            if ((_periods.TryGetValue((accountId, periodKey), out var state) || _entriesWithoutCounters.TryGetValue((accountId, periodKey), out state))
                && DateOnly.FromDateTime(state.Window.End.UtcDateTime) == DateOnly.FromDateTime(periodEnd.UtcDateTime))
            {
                state.InvoicedAt ??= time?.GetUtcNow() ?? DateTimeOffset.UtcNow;
            }

            return Task.CompletedTask;
        }
    }

    public Task SetIncludedAsync(AccountId accountId, UsagePeriodKey periodKey, PlanCode plan, MeterName meter, long included, IReadOnlyList<MeterAllowance> allowances, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (FailSetIncludedWith is { } failure)
            {
                throw failure;
            }

            if (_periods.TryGetValue((accountId, periodKey), out var state) && state.Plan == plan)
            {
                Keep(state, ToCounters(accountId, state).WithIncluded(meter, included, allowances));
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>When the period's index entry was marked invoiced; null when it was not (or has no entry).</summary>
    public DateTimeOffset? InvoicedAt(AccountId accountId, UsagePeriodKey periodKey)
    {
        lock (_gate)
        {
            return _periods.TryGetValue((accountId, periodKey), out var state) || _entriesWithoutCounters.TryGetValue((accountId, periodKey), out state) ? state.InvoicedAt : null;
        }
    }

    public Task<bool> MovePeriodEndAsync(AccountId accountId, UsagePeriodKey periodKey, PeriodEndMove move, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(move);
        lock (_gate)
        {
            // Like the store: the counters and the index entry move together (here they are one record).
            if (!_periods.TryGetValue((accountId, periodKey), out var state) || move.NewEnd <= state.Window.Start)
            {
                return Task.FromResult(true);
            }

            if (!move.AppliesOver(state.Window.End, state.EndSetFromVersion))
            {
                return Task.FromResult(false);
            }

            if (state.Window.End == move.NewEnd || state.InvoicedAt is null)
            {
                state.Window = new UsagePeriod(state.Window.Start, move.NewEnd, periodKey);
                state.EndSetFromVersion = move.StampOver(state.EndSetFromVersion);
            }

            return Task.FromResult(true);
        }
    }

    /// <summary>The account version the period's end was set from (null: never moved).</summary>
    public long? EndSetFromVersion(AccountId accountId, UsagePeriodKey periodKey)
    {
        lock (_gate)
        {
            return _periods.TryGetValue((accountId, periodKey), out var state) ? state.EndSetFromVersion : null;
        }
    }

    /// <summary>Calls of <see cref="MarkPeriodInvoicedAsync"/>.</summary>
    public int MarkInvoicedCalls { get; private set; }

    private UsageKeyClaim? Live(AccountId accountId, string idempotencyKey)
    {
        if (!_keys.TryGetValue((accountId, idempotencyKey), out var claim))
        {
            return null;
        }

        if (time is not null && time.GetUtcNow() >= claim.RecordedAt + claim.Retention)
        {
            _keys.Remove((accountId, idempotencyKey)); // expired, as the store's time to live deletes it
            return null;
        }

        return claim;
    }

    private Period PeriodOf(AccountId accountId, UsagePeriod period)
    {
        if (!_periods.TryGetValue((accountId, period.Key), out var state))
        {
            state = new Period(period);
            _periods.Add((accountId, period.Key), state);
        }

        return state;
    }

    private static int[] Notified(Period state, MeterName meter) =>
        [.. state.Notified.Where(n => n.Meter == meter).Select(n => n.Percent).Order()];

    private static UsageCounters ToCounters(AccountId accountId, Period state) => new()
    {
        AccountId = accountId,
        Period = state.Window,
        Counters = new Dictionary<MeterName, long>(state.Counters),
        Plan = state.Plan,
        SubscriptionId = state.SubscriptionId,
        Included = new Dictionary<MeterName, long>(state.Included),
        Lapsed = new Dictionary<MeterName, long>(state.Lapsed),
        Expired = new Dictionary<MeterName, long>(state.Expired),
        Covered = new Dictionary<MeterName, IReadOnlyDictionary<string, long>>(state.Covered),
        Earlier = [.. state.Earlier],
        Since = new Dictionary<MeterName, long>(state.Since),
    };

    /// <summary>Keeps the plan, its stretches and what it includes as <paramref name="counters"/> have them (the counts stay).</summary>
    private static void Keep(Period state, UsageCounters counters)
    {
        state.Plan = counters.Plan;
        state.Earlier = [.. counters.Earlier];
        state.Since = new Dictionary<MeterName, long>(counters.Since);
        state.Included = new Dictionary<MeterName, long>(counters.Included);
        state.Lapsed = new Dictionary<MeterName, long>(counters.Lapsed);
        state.Expired = new Dictionary<MeterName, long>(counters.Expired);
        state.Covered = new Dictionary<MeterName, IReadOnlyDictionary<string, long>>(counters.Covered);
    }

    private sealed class Period(UsagePeriod window)
    {
        public UsagePeriod Window { get; set; } = window;

        public Dictionary<MeterName, long> Counters { get; } = [];

        public PlanCode? Plan { get; set; }

        public string? SubscriptionId { get; set; }

        public Dictionary<MeterName, long> Included { get; set; } = [];

        public Dictionary<MeterName, long> Lapsed { get; set; } = [];

        public Dictionary<MeterName, long> Expired { get; set; } = [];

        public Dictionary<MeterName, IReadOnlyDictionary<string, long>> Covered { get; set; } = [];

        public List<PlanStretch> Earlier { get; set; } = [];

        public Dictionary<MeterName, long> Since { get; set; } = [];

        public HashSet<(MeterName Meter, int Percent)> Notified { get; } = [];

        public DateTimeOffset? InvoicedAt { get; set; }

        public long? EndSetFromVersion { get; set; }
    }
}
