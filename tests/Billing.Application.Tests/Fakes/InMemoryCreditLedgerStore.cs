using System.Globalization;
using Billing.Application.Credits;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// The credit ledger store in memory with the Cosmos contract, each operation atomic under one lock: a new ETag on
/// every book write, a create refused when the book exists, a replace refused when the ETag is stale (the 409/412
/// the Cosmos store turns into null), entries created once by key. <see cref="Interleave"/> runs before every
/// operation (outside the lock) so tests can make concurrent callers really overlap; <see cref="CrashAfterBookWrite"/>
/// throws right after a book write was applied, as a process dying between the two writes of the protocol would.
/// </summary>
internal sealed class InMemoryCreditLedgerStore : ICreditLedgerStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<AccountId, (CreditBook Book, string ETag)> _books = [];
    private readonly Dictionary<(AccountId, string), CreditEntry> _entries = [];
    private long _etags;
    private int _conflicts;

    public Func<Task>? Interleave { get; set; }

    /// <summary>How many of the next book writes lose their race (refused as if another writer had moved the book on).</summary>
    public int LoseBookWrites { get; set; }

    /// <summary>Asked after each successful book write; true = throw <see cref="SimulatedCrashException"/> now.</summary>
    public Func<CreditBook, bool>? CrashAfterBookWrite { get; set; }

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

    /// <summary>The books and entries as they are now; calling the answer puts them back, as a database restored to this point would.</summary>
    public Action BackUp()
    {
        lock (_gate)
        {
            var books = new Dictionary<AccountId, (CreditBook Book, string ETag)>(_books);
            var entries = new Dictionary<(AccountId, string), CreditEntry>(_entries);
            return () =>
            {
                lock (_gate)
                {
                    _books.ReplaceWith(books);
                    _entries.ReplaceWith(entries);
                }
            };
        }
    }

    public IReadOnlyList<CreditEntry> Entries(AccountId accountId)
    {
        lock (_gate)
        {
            return [.. _entries.Where(e => e.Key.Item1 == accountId).Select(e => e.Value).OrderBy(e => e.Sequence)];
        }
    }

    public CreditBook? Book(AccountId accountId)
    {
        lock (_gate)
        {
            return _books.TryGetValue(accountId, out var stored) ? stored.Book : null;
        }
    }

    public async Task<StoredCreditBook?> GetBookAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        await InterleaveAsync();
        lock (_gate)
        {
            return _books.TryGetValue(accountId, out var stored) ? new StoredCreditBook(stored.Book, stored.ETag) : null;
        }
    }

    public async Task<string?> TryWriteBookAsync(CreditBook book, string? etag, CancellationToken cancellationToken)
    {
        await InterleaveAsync();
        string written;
        lock (_gate)
        {
            var exists = _books.TryGetValue(book.AccountId, out var stored);
            if (LoseBookWrites > 0 || (etag is null ? exists : !exists || stored.ETag != etag))
            {
                LoseBookWrites = Math.Max(0, LoseBookWrites - 1);
                _conflicts++;
                return null;
            }

            written = "\"" + (++_etags).ToString(CultureInfo.InvariantCulture) + "\"";
            _books[book.AccountId] = (book, written);
        }

        if (CrashAfterBookWrite?.Invoke(book) == true)
        {
            throw new SimulatedCrashException();
        }

        return written;
    }

    public async Task AddEntryAsync(AccountId accountId, CreditEntry entry, CancellationToken cancellationToken)
    {
        await InterleaveAsync();
        lock (_gate)
        {
            _entries.TryAdd((accountId, entry.Key), entry);
        }
    }

    public async Task<CreditEntry?> GetEntryAsync(AccountId accountId, string key, CancellationToken cancellationToken)
    {
        await InterleaveAsync();
        lock (_gate)
        {
            return _entries.GetValueOrDefault((accountId, key));
        }
    }

    public async Task<CreditEntryPage> ListEntriesAsync(AccountId accountId, long? before, int limit, CancellationToken cancellationToken)
    {
        await InterleaveAsync();
        lock (_gate)
        {
            var page = _entries.Where(e => e.Key.Item1 == accountId && e.Value.Sequence < (before ?? long.MaxValue))
                .Select(e => e.Value).OrderByDescending(e => e.Sequence).Take(limit + 1).ToList();
            return page.Count > limit ? new CreditEntryPage(page[..limit], page[limit - 1].Sequence) : new CreditEntryPage(page, null);
        }
    }

    private Task InterleaveAsync() => Interleave?.Invoke() ?? Task.CompletedTask;
}

/// <summary>A process dying at a chosen point (tests of crash safety).</summary>
internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
        : base("Simulated crash.")
    {
    }

    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
