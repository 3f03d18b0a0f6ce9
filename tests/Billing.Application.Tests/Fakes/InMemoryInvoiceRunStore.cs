using System.Globalization;
using Billing.Application.Invoicing;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// Invoice runs in memory with the contract of the Cosmos store, every operation atomic under one lock: a new ETag and
/// the next revision (1 when created) on every write, <see cref="SaveAsync"/> refused with <see cref="InvoiceRunConflictException"/> when the run's ETag is
/// not the stored one, <see cref="CreateAsync"/> answering the stored run when there is one. Tests can read every
/// version written and run code just before a save (to make two jobs interleave). The operators' invoice index is kept
/// as the Cosmos store keeps it (<see cref="IndexEntries"/>: written after each create or save of a run with a Stripe
/// invoice, a newer entry kept), and its next writes can be made to fail with the run stored (<see cref="IndexFailuresLeft"/>).
/// </summary>
internal sealed class InMemoryInvoiceRunStore : IInvoiceRunStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(AccountId, UsagePeriodKey), InvoiceRun> _runs = [];
    private readonly List<InvoiceRun> _history = [];
    private long _etags;
    private int _conflicts;
    private int _searches;
    private readonly Dictionary<(AccountId, UsagePeriodKey), InvoiceRun> _index = [];
    private readonly HashSet<string> _named = new(StringComparer.Ordinal);
    private readonly Dictionary<BillingMonth, DateTimeOffset> _monthsCompleted = [];
    private int _indexWrites;
    private int _indexFailuresLeft;

    /// <summary>Awaited before each <see cref="SaveAsync"/> is applied (not under the lock).</summary>
    public Func<InvoiceRun, Task>? BeforeSave { get; set; }

    /// <summary>Saves refused because the run's ETag was stale.</summary>
    public int Conflicts
    {
        get
        {
            lock (_gate)
            {
                return _conflicts;
            }
        }
    }

    /// <summary>Calls of <see cref="FindByStripeInvoiceAsync"/>: the Cosmos store's cross-partition query.</summary>
    public int Searches
    {
        get
        {
            lock (_gate)
            {
                return _searches;
            }
        }
    }

    /// <summary>Every version stored (creations and saves), in order.</summary>
    public IReadOnlyList<InvoiceRun> History
    {
        get
        {
            lock (_gate)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>The operators' invoice index: the entry of each run with a Stripe invoice, as its last written save.</summary>
    public IReadOnlyList<InvoiceRun> IndexEntries
    {
        get
        {
            lock (_gate)
            {
                return [.. _index.Values];
            }
        }
    }

    /// <summary>Index writes attempted (failed ones included; a run without a Stripe invoice has none).</summary>
    public int IndexWrites
    {
        get
        {
            lock (_gate)
            {
                return _indexWrites;
            }
        }
    }

    /// <summary>The next this many index writes fail, after the run's own write is stored.</summary>
    public int IndexFailuresLeft
    {
        get
        {
            lock (_gate)
            {
                return _indexFailuresLeft;
            }
        }

        set
        {
            lock (_gate)
            {
                _indexFailuresLeft = value;
            }
        }
    }

    /// <summary>Every run stored now.</summary>
    public IReadOnlyList<InvoiceRun> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _runs.Values];
            }
        }
    }

    /// <summary>
    /// The runs, the operators' index and the month marks as they are now; calling the answer puts them back, as a
    /// database restored to this point would (the stored runs keep their ETags; the counter goes on).
    /// </summary>
    public Action BackUp()
    {
        lock (_gate)
        {
            var runs = new Dictionary<(AccountId, UsagePeriodKey), InvoiceRun>(_runs);
            var index = new Dictionary<(AccountId, UsagePeriodKey), InvoiceRun>(_index);
            var named = new HashSet<string>(_named, StringComparer.Ordinal);
            var months = new Dictionary<BillingMonth, DateTimeOffset>(_monthsCompleted);
            return () =>
            {
                lock (_gate)
                {
                    _runs.ReplaceWith(runs);
                    _index.ReplaceWith(index);
                    _named.Clear();
                    _named.UnionWith(named);
                    _monthsCompleted.ReplaceWith(months);
                }
            };
        }
    }

    public InvoiceRun? Find(AccountId accountId, UsagePeriodKey periodKey)
    {
        lock (_gate)
        {
            return _runs.GetValueOrDefault((accountId, periodKey));
        }
    }

    /// <summary>Stores a run as it is (a fresh ETag), as if an earlier job had written it.</summary>
    public InvoiceRun Put(InvoiceRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            return Store(run);
        }
    }

    public Task<InvoiceRun?> GetAsync(AccountId accountId, UsagePeriodKey periodKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_runs.GetValueOrDefault((accountId, periodKey)));
        }
    }

    public Task<IReadOnlyList<InvoiceRun>> GetManyAsync(AccountId accountId, IReadOnlyCollection<UsagePeriodKey> periodKeys, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<InvoiceRun> found = [.. periodKeys.Distinct().Select(k => _runs.GetValueOrDefault((accountId, k))).OfType<InvoiceRun>()];
            return Task.FromResult(found);
        }
    }

    public Task<InvoiceRun> CreateAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            return Task.FromResult(_runs.TryGetValue((run.AccountId, run.PeriodKey), out var existing) ? existing : Index(Store(run)));
        }
    }

    public async Task<InvoiceRun> SaveAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (BeforeSave is { } before)
        {
            await before(run);
        }

        lock (_gate)
        {
            if (!_runs.TryGetValue((run.AccountId, run.PeriodKey), out var stored))
            {
                throw new InvalidOperationException($"Invoice run {run.RunId} is saved but was never created.");
            }

            if (run.ETag is null || run.ETag != stored.ETag)
            {
                _conflicts++;
                throw new InvoiceRunConflictException($"Invoice run {run.RunId} was written by someone else (ETag {run.ETag ?? "none"}, stored {stored.ETag}).");
            }

            return Index(Store(run));
        }
    }

    public Task RecordInIndexAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            Index(run);
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<InvoiceRun>> ListInvoicedAsync(AccountId accountId, InvoicedRunPosition? after, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<InvoiceRun> invoiced = [.. _runs.Values
                .Where(r => r.AccountId == accountId && r.StripeInvoiceId is not null && r.Step is InvoiceRunStep.Finalized or InvoiceRunStep.Recorded)
                .Where(r => after is not { } position || position.Precedes(r))
                .OrderByDescending(r => r.PeriodStart)
                .ThenByDescending(r => r.PeriodKey.Value, StringComparer.Ordinal)
                .Take(limit)];
            return Task.FromResult(invoiced);
        }
    }

    public Task<IReadOnlyList<InvoiceRun>> ListOfMonthAsync(BillingMonth month, AccountId? accountId, string? afterRunId, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<InvoiceRun> page = [.. _runs.Values
                .Where(r => month.Contains(r.PeriodEnd) && (accountId is null || r.AccountId == accountId))
                .Where(r => afterRunId is null || string.CompareOrdinal(r.RunId, afterRunId) > 0)
                .OrderBy(r => r.RunId, StringComparer.Ordinal)
                .Take(limit)];
            return Task.FromResult(page);
        }
    }

    public Task<bool> NameInMonthIndexAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            return Task.FromResult(_named.Add(run.RunId));
        }
    }

    public Task<DateTimeOffset?> GetMonthIndexCompletedAsync(BillingMonth month, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_monthsCompleted.TryGetValue(month, out var at) ? at : (DateTimeOffset?)null);
        }
    }

    public Task MarkMonthIndexCompletedAsync(BillingMonth month, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _monthsCompleted.TryAdd(month, at);
            return Task.CompletedTask;
        }
    }

    public Task<InvoiceRun?> FindByStripeInvoiceAsync(string stripeInvoiceId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _searches++;
            return Task.FromResult(_runs.Values.FirstOrDefault(r => r.StripeInvoiceId == stripeInvoiceId));
        }
    }

    /// <summary>The index entry's write after the run's: a newer entry is kept, as <c>CosmosInvoiceDirectory</c> keeps it.</summary>
    private InvoiceRun Index(InvoiceRun run)
    {
        if (run.StripeInvoiceId is null || run.Step is InvoiceRunStep.Computed or InvoiceRunStep.NothingToBill)
        {
            return run;
        }

        _indexWrites++;
        if (_indexFailuresLeft > 0)
        {
            _indexFailuresLeft--;
            throw new OperatorCopyNotWrittenException($"The index entry of run {run.RunId} was not written (injected).");
        }

        if (!_index.TryGetValue((run.AccountId, run.PeriodKey), out var entry) || !InvoiceRun.IsLaterSave(entry, run))
        {
            _index[(run.AccountId, run.PeriodKey)] = run;
        }

        return run;
    }

    private InvoiceRun Store(InvoiceRun run)
    {
        var revision = (_runs.GetValueOrDefault((run.AccountId, run.PeriodKey))?.Revision ?? 0) + 1;
        var stored = run with { ETag = "etag-" + (++_etags).ToString(CultureInfo.InvariantCulture), Revision = revision };
        _runs[(run.AccountId, run.PeriodKey)] = stored;
        _history.Add(stored);
        return stored;
    }
}
