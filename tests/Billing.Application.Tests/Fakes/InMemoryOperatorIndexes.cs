using System.Collections.Concurrent;
using System.Globalization;
using Billing.Application.Admin;
using Billing.Application.Invoicing;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Fakes;

/// <summary>The account index in memory, with the adapter's semantics: version guard, filters, id order, keyset pages.</summary>
internal sealed class InMemoryAccountDirectory : IAccountDirectory
{
    private readonly ConcurrentDictionary<AccountId, AccountSummary> _summaries = new();
    private int _records;

    public IReadOnlyCollection<AccountSummary> Stored => [.. _summaries.Values];

    /// <summary>How many summaries were recorded (each a write of the index), kept or not.</summary>
    public int Records => Volatile.Read(ref _records);

    public Task RecordAsync(AccountSummary summary, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _records);
        _summaries.AddOrUpdate(summary.AccountId, summary, (_, stored) => stored.AccountVersion > summary.AccountVersion ? stored : summary);
        return Task.CompletedTask;
    }

    public Task<AccountDirectoryPage> ListAsync(AccountDirectoryQuery query, CancellationToken cancellationToken)
    {
        var matches = _summaries.Values
            .Where(s => query.Plan is null || s.Plan.Value == query.Plan)
            .Where(s => query.Status is null || s.Status == query.Status)
            .Where(s => query.Search is null || $"{s.AccountId.Value}\n{s.StripeCustomerId}".Contains(query.Search, StringComparison.OrdinalIgnoreCase))
            .Where(s => query.After is null || string.CompareOrdinal(s.AccountId.Value, query.After) > 0)
            .OrderBy(s => s.AccountId.Value, StringComparer.Ordinal)
            .Take(query.Limit + 1)
            .ToList();
        return Task.FromResult(new AccountDirectoryPage(matches.Take(query.Limit).ToList(), matches.Count > query.Limit));
    }
}

/// <summary>No invoices indexed; enough for the registration.</summary>
internal sealed class EmptyInvoiceDirectory : IInvoiceDirectory
{
    public Task<InvoiceDirectoryPage> ListAsync(InvoiceDirectoryQuery query, CancellationToken cancellationToken) =>
        Task.FromResult(new InvoiceDirectoryPage([], null, false));
}

/// <summary>
/// The invoice index in memory, with the adapter's semantics: entries of the invoiced runs the test adds, filtered by
/// the month the period started in and Stripe's status, newest period first by a sort key, keyset pages after a key.
/// </summary>
internal sealed class InMemoryInvoiceDirectory : IInvoiceDirectory
{
    private readonly ConcurrentDictionary<string, InvoiceRun> _entries = new(StringComparer.Ordinal);

    /// <summary>Every query asked, in order.</summary>
    public ConcurrentQueue<InvoiceDirectoryQuery> Queries { get; } = new();

    public void Add(InvoiceRun run) => _entries[SortKey(run)] = run;

    public Task<InvoiceDirectoryPage> ListAsync(InvoiceDirectoryQuery query, CancellationToken cancellationToken)
    {
        Queries.Enqueue(query);
        var matches = _entries
            .Where(e => query.Month is null || e.Value.PeriodStart.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture) == query.Month)
            .Where(e => query.Status is null || e.Value.Status == query.Status)
            .Where(e => query.After is null || string.CompareOrdinal(e.Key, query.After) < 0)
            .OrderByDescending(e => e.Key, StringComparer.Ordinal)
            .Take(query.Limit + 1)
            .ToList();
        var page = matches.Take(query.Limit).ToList();
        return Task.FromResult(new InvoiceDirectoryPage([.. page.Select(e => e.Value)], page.Count == 0 ? null : page[^1].Key, matches.Count > query.Limit));
    }

    private static string SortKey(InvoiceRun run) => $"{run.PeriodStart.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)}|{run.RunId}";
}

/// <summary>An account's Stripe events as the test puts them.</summary>
internal sealed class InMemoryStripeEventHistory : IStripeEventHistory
{
    public ConcurrentDictionary<AccountId, List<AccountStripeEvent>> Events { get; } = new();

    public Task<IReadOnlyList<AccountStripeEvent>> ListRecentAsync(AccountId accountId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AccountStripeEvent>>(Events.TryGetValue(accountId, out var events) ? [.. events.OrderByDescending(e => e.ReceivedAt).Take(limit)] : []);
}
