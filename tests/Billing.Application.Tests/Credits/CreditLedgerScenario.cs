using Billing.Application.Credits;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Billing.Application.Tests.Credits;

/// <summary>
/// One seeded run of the ledger's property: grants (some expiring, some taken back at once: an early refund), spends
/// (invoices of periods that closed at various moments, pending until decided), negative and positive adjustments,
/// reversals, reversals undone (a failed refund) and spends given back (a voided invoice), several of them repeated under the same key, all posted concurrently while the clock moves, through a
/// store that yields at every call and sometimes "crashes" right after a book write (the operation is then retried,
/// as a redelivered queue message or a retried request would be). Afterwards the book and the entries must agree:
/// the balance per currency is the sum of the entries, the version is their count, each grant's remaining is what
/// its entries left, a grant taken back at once has its reversal for all of it as the very next entry (never spendable), nothing was taken from or given back to a grant at or after its expiry
/// (for a spend: held at its period's close and expired by then, or granted since and expired when spent), no expiry was written before a pending spend that could take from the grant had decided, nothing was given back to a
/// grant while reversed nor more than its spend took, a reinstatement gave back at least what its reversal took, every key is posted at most once, and no expired credit
/// remains. Shared by the in-memory test (many runs) and the Cosmos one (fewer, slower runs).
/// </summary>
public static class CreditLedgerScenario
{
    private static readonly Currency Usd = Currency.Parse("usd");
    private static readonly Currency Eur = Currency.Parse("eur");

    public static async Task RunAsync(int seed, AccountId accountId, ICreditLedgerStore inner, double crashRate = 0.1)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new ChaoticStore(inner, new Random(random.Next()), crashRate);
        var operations = Operations(random, time.GetUtcNow());
        var spends = new UndecidedSpends(operations.OfType<SpendCredit>());
        var ledger = new CreditLedger(store, spends, time, NullLogger<CreditLedger>.Instance);

        // Three concurrent phases: half the grants first, so that spends find credit (all started at once, every spend
        // read an empty book and spent nothing); then everything else; then spends given back (their invoice voided:
        // after the spend, as in production) with half the reversals, so a grant may be taken back before or after.
        var phases = operations.ToLookup(op => op switch
        {
            GrantCredit when random.Next(2) == 0 => 0,
            RestoreOf => 2,
            ReverseGrant when random.Next(2) == 0 => 2,
            ReinstateGrant => 2,
            _ => 1,
        });
        var posted = new List<CreditPosting>();
        foreach (var phase in new[] { phases[0], phases[1], phases[2] })
        {
            var clock = Task.Run(async () =>
            {
                for (var i = 0; i < 6; i++)
                {
                    await Task.Yield();
                    time.Advance(TimeSpan.FromMinutes(20));
                }
            });
            posted.AddRange(await Task.WhenAll(phase.Select(op => Task.Run(() => PostWithRetriesAsync(ledger, spends, accountId, op)))));
            await clock;
        }

        store.Calm();
        time.Advance(TimeSpan.FromHours(12)); // every expiry is due now
        var book = await ledger.ReadAsync(accountId, CancellationToken.None);
        var entries = await AllEntriesAsync(inner, accountId);

        Assert.Empty(book.Pending);
        Assert.Equal(book.Version, entries.Count);
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence).Order());
        Assert.Equal(entries.Count, entries.Select(e => e.Key).Distinct(StringComparer.Ordinal).Count());
        foreach (var currency in new[] { Usd, Eur })
        {
            Assert.Equal(entries.Where(e => e.Currency == currency).Sum(e => e.Amount), book.Balances().GetValueOrDefault(currency));
        }

        foreach (var grant in book.Grants)
        {
            var parts = entries.SelectMany(e => e.Parts.Where(p => p.GrantId == grant.GrantId).Select(p => (Entry: e, Part: p))).ToList();
            Assert.Equal(grant.Remaining, parts.Sum(p => p.Part.Amount));
            Assert.InRange(grant.Remaining, 0, grant.Amount);
            Assert.All(parts.Where(p => p.Entry.Kind == CreditEntryKind.Adjustment && p.Part.Amount < 0), p =>
                Assert.True(grant.ExpiresAt is not { } expiresAt || p.Entry.At < expiresAt, $"Entry {p.Entry.Key} took from grant {grant.GrantId} at {p.Entry.At:O}, after its expiry {grant.ExpiresAt:O}."));
            Assert.All(parts.Where(p => p.Entry.Kind == CreditEntryKind.Spend), p =>
            {
                var owedAt = spends.OwedAt(p.Entry.Key);
                Assert.False(grant.IsExpiredAt(grant.GrantedAt <= owedAt ? owedAt : p.Entry.At), $"Entry {p.Entry.Key} (owed since {owedAt:O}) took from grant {grant.GrantId} at {p.Entry.At:O}, after its expiry {grant.ExpiresAt:O}.");
            });
            if (entries.SingleOrDefault(e => e.Kind == CreditEntryKind.Expiry && e.Parts[0].GrantId == grant.GrantId) is { } written)
            {
                Assert.All(spends.Decisions.Where(d => d.Currency == grant.Currency && grant.GrantedAt <= d.OwedAt && !grant.IsExpiredAt(d.OwedAt)), d =>
                    Assert.True(written.Sequence > d.Version, $"Grant {grant.GrantId} expired as entry {written.Sequence}, before spend {d.Key} (owed since {d.OwedAt:O}) decided at version {d.Version}."));
            }

            Assert.All(parts.Where(p => p.Entry.Kind == CreditEntryKind.Restore), p =>
                Assert.True(p.Part.Amount >= 0 && (grant.ExpiresAt is not { } expiresAt || p.Entry.At < expiresAt), $"Entry {p.Entry.Key} gave {p.Part.Amount} to grant {grant.GrantId} at {p.Entry.At:O} (expiry {grant.ExpiresAt:O})."));

            // In order: a spend given back while the grant is reversed gives nothing now (the reversal holds it); a
            // reinstatement undoes the reversal in force and gives back at least what it took (nothing once expired).
            long? reversed = null;
            foreach (var (entry, part) in parts.OrderBy(p => p.Entry.Sequence))
            {
                switch (entry.Kind)
                {
                    case CreditEntryKind.Restore:
                        Assert.True(reversed is null ? part.Amount > 0 : part.Amount == 0, $"Entry {entry.Key} gave {part.Amount} back to grant {grant.GrantId} (reversed: {reversed is not null}).");
                        break;
                    case CreditEntryKind.Reversal:
                        Assert.True(reversed is null, $"Entry {entry.Key} reversed grant {grant.GrantId} twice.");
                        reversed = -part.Amount;
                        break;
                    case CreditEntryKind.Reinstatement:
                        Assert.True(reversed is { } taken && (grant.IsExpiredAt(entry.At) ? part.Amount == 0 : part.Amount >= taken), $"Entry {entry.Key} gave {part.Amount} to grant {grant.GrantId}, whose reversal took {reversed}.");
                        reversed = null;
                        break;
                }
            }
            if (grant.ExpiresAt is { } expiry && expiry <= time.GetUtcNow())
            {
                Assert.Equal(0, grant.Remaining);
            }
        }

        foreach (var entry in entries)
        {
            Assert.Equal(entry.Amount, entry.Parts.Sum(p => p.Amount));
        }

        foreach (var takenBack in operations.OfType<GrantCredit>().Where(g => g.Reversal is not null).DistinctBy(g => g.Key))
        {
            var granted = entries.Single(e => e.Key == takenBack.Key);
            var reversal = entries.Single(e => e.Key == takenBack.Reversal!.Key);
            Assert.Equal((granted.Sequence + 1, -granted.Amount), (reversal.Sequence, reversal.Amount));
        }

        foreach (var restore in entries.Where(e => e.Kind == CreditEntryKind.Restore))
        {
            var spend = entries.Single(e => "restore:" + e.Key == restore.Key && e.Kind == CreditEntryKind.Spend);
            Assert.True(spend.Sequence < restore.Sequence);
            Assert.All(restore.Parts, p => Assert.InRange(p.Amount, 0, -spend.Parts.Where(s => s.GrantId == p.GrantId).Sum(s => s.Amount)));
        }

        // What each caller was told matches what was written: a key posted now or before has that one entry.
        foreach (var posting in posted.Where(p => p.Entry is not null))
        {
            var stored = entries.Single(e => e.Key == posting.Entry!.Key);
            Assert.Equal((posting.Entry!.Sequence, posting.Entry.Kind, posting.Entry.Currency, posting.Entry.Amount, posting.Entry.At), (stored.Sequence, stored.Kind, stored.Currency, stored.Amount, stored.At));
            Assert.Equal(posting.Entry.Parts, stored.Parts);
        }
    }

    private static List<CreditOperation> Operations(Random random, DateTimeOffset start)
    {
        var operations = new List<CreditOperation>();
        var grants = new List<string>();
        var count = random.Next(8, 20);
        for (var i = 0; i < count; i++)
        {
            var currency = random.Next(4) == 0 ? Eur : Usd;
            CreditOperation operation = random.Next(10) switch
            {
                < 4 => Grant(random, start, currency, i, grants),
                < 7 => Spend(random, start, currency),
                < 8 => CreditOperation.Adjust($"adj-{i}", currency, random.Next(2) == 0 ? random.Next(1, 300) : -random.Next(1, 300), "test", "operator@example.com"),
                _ when grants.Count > 0 => CreditOperation.Reverse("pi_" + grants[random.Next(grants.Count)], "ch_test"),
                _ => Grant(random, start, currency, i, grants),
            };
            operations.Add(operation);
            if (random.Next(4) == 0)
            {
                operations.Add(operation); // the same key again: a duplicate delivery or a retried request
            }
        }

        var reversed = operations.OfType<ReverseGrant>().Select(r => r.PaymentIntentId)
            .Concat(operations.OfType<GrantCredit>().Where(g => g.Reversal is not null).Select(g => g.PaymentIntentId!));
        foreach (var paymentIntentId in reversed.Distinct(StringComparer.Ordinal).Where(_ => random.Next(2) == 0).ToList())
        {
            operations.Add(CreditOperation.Reinstate(paymentIntentId, "re_test", 0)); // its refund failed
        }

        foreach (var spend in operations.OfType<SpendCredit>().Select(s => s.Key).Distinct().Where(_ => random.Next(3) > 0).ToList())
        {
            operations.AddRange(Enumerable.Repeat(new RestoreOf(spend), random.Next(4) == 0 ? 2 : 1));
        }

        return operations;
    }

    /// <summary>The invoice of one of six periods, closed 20 minutes apart from the start (before any spend is posted).</summary>
    private static CreditOperation Spend(Random random, DateTimeOffset start, Currency currency)
    {
        var period = random.Next(6);
        return CreditOperation.Spend($"run-{period}", currency, random.Next(1, 800), start + TimeSpan.FromMinutes(20 * period), "run");
    }

    private static CreditOperation Grant(Random random, DateTimeOffset start, Currency currency, int i, List<string> grants)
    {
        var id = $"g{i}";
        grants.Add(id);
        DateTimeOffset? expiresAt = random.Next(3) == 0 ? start + TimeSpan.FromMinutes(random.Next(10, 240)) : null;
        return CreditOperation.Grant("cs:" + id, currency, random.Next(1, 1_000), expiresAt, "pack:TEST", "pi_" + id, id, takenBack: random.Next(6) == 0);
    }

    private static async Task<CreditPosting> PostWithRetriesAsync(CreditLedger ledger, UndecidedSpends spends, AccountId accountId, CreditOperation operation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var posting = operation is RestoreOf restore
                    ? await ledger.RestoreSpendAsync(accountId, restore.Given, "void", CancellationToken.None)
                    : await ledger.PostAsync(accountId, operation, CancellationToken.None);
                if (operation is SpendCredit spend)
                {
                    spends.Decided(spend, posting);
                }

                return posting;
            }
            catch (SimulatedLedgerCrashException) when (attempt < 50)
            {
            }
        }
    }

    private static async Task<List<CreditEntry>> AllEntriesAsync(ICreditLedgerStore store, AccountId accountId)
    {
        var entries = new List<CreditEntry>();
        long? before = null;
        do
        {
            var page = await store.ListEntriesAsync(accountId, before, 7, CancellationToken.None);
            entries.AddRange(page.Entries);
            before = page.NextBefore;
        }
        while (before is not null);
        return entries;
    }

    /// <summary>
    /// The invoices' side: a spend is pending from the start until every operation under its key has been decided, as
    /// a run stays at its credit step until its spend returns; <see cref="Decisions"/> records at which ledger version
    /// each was decided (its entry's, or the book's it found nothing in).
    /// </summary>
    private sealed class UndecidedSpends(IEnumerable<SpendCredit> spends) : IPendingCreditSpends
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, (DateTimeOffset OwedAt, int Undecided)> _spends = spends
            .GroupBy(s => s.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (g.First().OwedAt, g.Count()), StringComparer.Ordinal);

        private readonly List<SpendDecision> _decisions = [];

        public IReadOnlyList<SpendDecision> Decisions
        {
            get
            {
                lock (_gate)
                {
                    return [.. _decisions];
                }
            }
        }

        public DateTimeOffset OwedAt(string key)
        {
            lock (_gate)
            {
                return _spends[key].OwedAt;
            }
        }

        public void Decided(SpendCredit spend, CreditPosting posting)
        {
            lock (_gate)
            {
                var (owedAt, undecided) = _spends[spend.Key];
                _spends[spend.Key] = (owedAt, undecided - 1);
                _decisions.Add(new SpendDecision(spend.Key, spend.Currency, owedAt, posting.Entry?.Sequence ?? posting.Book.Version));
            }
        }

        public async Task<IReadOnlyList<DateTimeOffset>> ListAsync(AccountId accountId, DateTimeOffset from, DateTimeOffset before, CancellationToken cancellationToken)
        {
            await Task.Yield();
            lock (_gate)
            {
                return [.. _spends.Values.Where(s => s.Undecided > 0 && s.OwedAt >= from && s.OwedAt < before).Select(s => s.OwedAt)];
            }
        }
    }

    private sealed record SpendDecision(string Key, Currency Currency, DateTimeOffset OwedAt, long Version);

    /// <summary>What a voided invoice asks: give back the spend keyed <see cref="Given"/> (if it was posted).</summary>
    private sealed record RestoreOf(string Given) : CreditOperation("restore:" + Given);

    /// <summary>Yields at every call and sometimes dies right after a book write was applied.</summary>
    private sealed class ChaoticStore(ICreditLedgerStore inner, Random random, double crashRate) : ICreditLedgerStore
    {
        private readonly Lock _gate = new();
        private bool _calm;

        public void Calm()
        {
            lock (_gate)
            {
                _calm = true;
            }
        }

        public async Task<StoredCreditBook?> GetBookAsync(AccountId accountId, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return await inner.GetBookAsync(accountId, cancellationToken);
        }

        public async Task<string?> TryWriteBookAsync(CreditBook book, string? etag, CancellationToken cancellationToken)
        {
            await Task.Yield();
            var written = await inner.TryWriteBookAsync(book, etag, cancellationToken);
            if (written is not null && Roll())
            {
                throw new SimulatedLedgerCrashException();
            }

            return written;
        }

        public async Task AddEntryAsync(AccountId accountId, CreditEntry entry, CancellationToken cancellationToken)
        {
            await Task.Yield();
            if (Roll())
            {
                throw new SimulatedLedgerCrashException();
            }

            await inner.AddEntryAsync(accountId, entry, cancellationToken);
        }

        public async Task<CreditEntry?> GetEntryAsync(AccountId accountId, string key, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return await inner.GetEntryAsync(accountId, key, cancellationToken);
        }

        public Task<CreditEntryPage> ListEntriesAsync(AccountId accountId, long? before, int limit, CancellationToken cancellationToken) =>
            inner.ListEntriesAsync(accountId, before, limit, cancellationToken);

        private bool Roll()
        {
            lock (_gate)
            {
                return !_calm && random.NextDouble() < crashRate;
            }
        }
    }
}

/// <summary>The process "died" at a chosen point of the ledger protocol.</summary>
public sealed class SimulatedLedgerCrashException : Exception
{
    public SimulatedLedgerCrashException()
        : base("Simulated crash in the credit ledger protocol.")
    {
    }

    public SimulatedLedgerCrashException(string message)
        : base(message)
    {
    }

    public SimulatedLedgerCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
