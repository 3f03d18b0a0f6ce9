using System.Text.Json.Nodes;
using Billing.Application.Credits;
using Billing.Application.Tests.Credits;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Pricing;

namespace Billing.Cosmos.Tests.Credits;

/// <summary>The Cosmos credit ledger store: its contract, and the ledger's property over the real server.</summary>
public sealed class CosmosCreditLedgerStoreTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    public const int Seed = 20_261_202;
    public const int Runs = 25;

    private static readonly Currency Usd = Currency.Parse("usd");
    private static readonly DateTimeOffset At = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly ICreditLedgerStore _store = fixture.Get<ICreditLedgerStore>();

    [Fact]
    public async Task The_book_is_created_once_and_replaced_only_with_its_current_etag()
    {
        var account = Ids.NewAccount();
        var book = CreditBook.Empty(account);

        var created = await _store.TryWriteBookAsync(book, null, CancellationToken.None);
        var createdAgain = await _store.TryWriteBookAsync(book, null, CancellationToken.None);
        var replaced = await _store.TryWriteBookAsync(book with { Version = 1 }, created, CancellationToken.None);
        var stale = await _store.TryWriteBookAsync(book with { Version = 2 }, created, CancellationToken.None);

        Assert.NotNull(created);
        Assert.Null(createdAgain);
        Assert.NotNull(replaced);
        Assert.Null(stale);
        Assert.Equal(1, (await _store.GetBookAsync(account, CancellationToken.None))!.Book.Version);
    }

    [Fact]
    public async Task A_book_write_keeps_fields_a_newer_version_wrote_and_a_newer_schema_is_not_rewritten()
    {
        var account = Ids.NewAccount();
        var book = CreditBook.Empty(account).Apply(CreditOperation.Grant("cs:cs_1", Usd, 1_000, null, "pack:A", "pi_1", "cs_1"), At).Book!.Settled()
            .Apply(CreditOperation.Grant("cs:cs_2", Usd, 500, null, "pack:B", "pi_2", "cs_2"), At).Book!;
        await _store.TryWriteBookAsync(book, null, CancellationToken.None);
        var raw = await RawBookAsync(account);
        raw["futureField"] = "kept";
        raw["grants"]![0]!["futureField"] = "kept in the grant";
        raw["grants"]![1]!["futureField"] = "kept in the other grant"; // each grant its own
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, account.Value);
        var stored = (await _store.GetBookAsync(account, CancellationToken.None))!;

        var written = await _store.TryWriteBookAsync(stored.Book.Settled(), stored.ETag, CancellationToken.None);

        Assert.NotNull(written);
        var rewritten = await RawBookAsync(account);
        Assert.Equal(
            ("kept", "kept in the grant", "kept in the other grant"),
            ((string?)rewritten["futureField"], (string?)rewritten["grants"]![0]!["futureField"], (string?)rewritten["grants"]![1]!["futureField"]));

        raw = await RawBookAsync(account);
        raw["schemaVersion"] = 3;
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, account.Value);
        var newer = (await _store.GetBookAsync(account, CancellationToken.None))!;
        var spent = newer.Book.Apply(CreditOperation.Adjust("adjust:1", Usd, -100, "test", "operator"), At).Book!;

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => _store.TryWriteBookAsync(spent, newer.ETag, CancellationToken.None));
        Assert.Contains("schema version 3", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(3, (int)(await RawBookAsync(account))["schemaVersion"]!);
    }

    [Fact]
    public async Task The_stored_balances_are_the_remaining_credit_per_currency()
    {
        var account = Ids.NewAccount();
        var book = CreditBook.Empty(account)
            .Apply(CreditOperation.Grant("cs:cs_1", Usd, 1_000, null, "pack:A", "pi_1", "cs_1"), At).Book!.Settled()
            .Apply(CreditOperation.Grant("cs:cs_2", Currency.Parse("eur"), 500, null, "pack:B", "pi_2", "cs_2"), At).Book!.Settled()
            .Apply(CreditOperation.Spend("invoice:run-1", Usd, 300, At, "run-1"), At).Book!.Settled();

        await _store.TryWriteBookAsync(book, null, CancellationToken.None);

        var balances = (await RawBookAsync(account))["balances"]!.AsObject();
        Assert.Equal([("eur", 500L), ("usd", 700L)], balances.Select(b => (b.Key, (long)b.Value!)).OrderBy(b => b.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_field_of_a_grant_round_trips()
    {
        // One grant reinstated after a failed refund (its count numbers the next reversal's key), one reversed (what the
        // reversal took is what a failing refund gives back), one that expires; no entry stored, nothing pending.
        var account = Ids.NewAccount();
        var book = CreditBook.Empty(account)
            .Apply(CreditOperation.Grant("cs:cs_1", Usd, 1_000, null, "pack:A", "pi_1", "cs_1"), At).Book!.Settled()
            .Apply(CreditOperation.Grant("cs:cs_2", Usd, 500, null, "pack:B", "pi_2", "cs_2"), At).Book!.Settled()
            .Apply(CreditOperation.Grant("cs:cs_3", Usd, 200, At.AddDays(30), "pack:C", "pi_3", "cs_3"), At).Book!.Settled()
            .Apply(CreditOperation.Reverse("pi_1", "ch_1"), At).Book!.Settled()
            .Apply(CreditOperation.Reinstate("pi_1", "ch_1", 0), At.AddDays(1)).Book!.Settled()
            .Apply(CreditOperation.Reverse("pi_2", "ch_2"), At.AddDays(2)).Book!.Settled();
        Assert.Equal((1, 500L, (DateTimeOffset?)At.AddDays(30)), (book.Grants[0].Reinstatements, book.Grants[1].ReversedAmount, book.Grants[2].ExpiresAt));

        await _store.TryWriteBookAsync(book, null, CancellationToken.None);
        var stored = (await _store.GetBookAsync(account, CancellationToken.None))!.Book;

        Assert.Equal(book.Grants, stored.Grants);
        Assert.Equal(book.Version, stored.Version);
    }

    [Fact]
    public async Task Every_field_of_an_entry_round_trips()
    {
        var account = Ids.NewAccount();
        var entry = Entry(1) with { Kind = CreditEntryKind.Adjustment, Amount = -25, Parts = [new CreditPart("g1", -25)], Reason = "goodwill", Operator = "ops@example.com" };

        await _store.AddEntryAsync(account, entry, CancellationToken.None);

        var read = (await _store.GetEntryAsync(account, entry.Key, CancellationToken.None))!;
        Assert.Equal(entry.Parts, read.Parts);
        Assert.Equal(entry with { Parts = read.Parts }, read);
    }

    [Fact]
    public async Task Entries_are_stored_once_by_key_and_paged_newest_first_inside_the_account()
    {
        var account = Ids.NewAccount();
        var other = Ids.NewAccount();
        for (var i = 1; i <= 5; i++)
        {
            await _store.AddEntryAsync(account, Entry(i), CancellationToken.None);
        }

        await _store.AddEntryAsync(account, Entry(1) with { Amount = 999 }, CancellationToken.None); // same key: kept as first written
        await _store.AddEntryAsync(other, Entry(9), CancellationToken.None);

        var first = await _store.ListEntriesAsync(account, null, 3, CancellationToken.None);
        var second = await _store.ListEntriesAsync(account, first.NextBefore, 3, CancellationToken.None);

        Assert.Equal([5L, 4, 3], first.Entries.Select(e => e.Sequence));
        Assert.Equal(3, first.NextBefore);
        Assert.Equal([2L, 1], second.Entries.Select(e => e.Sequence));
        Assert.Null(second.NextBefore);
        Assert.Equal(10, (await _store.GetEntryAsync(account, "k1", CancellationToken.None))!.Amount);
        Assert.Null(await _store.GetEntryAsync(account, "k9", CancellationToken.None));
    }

    /// <summary>Cosmos DB may answer a query in short pages: a page of entries reads on until it knows whether more follow.</summary>
    [Fact]
    public async Task Entries_answered_in_short_pages_still_say_that_more_follow()
    {
        var account = Ids.NewAccount();
        for (var i = 1; i <= 5; i++)
        {
            await _store.AddEntryAsync(account, Entry(i), CancellationToken.None);
        }

        using var paged = new FaultyStore(fixture) { QueryPageSize = 1 };

        var first = await paged.CreditLedger.ListEntriesAsync(account, null, 3, CancellationToken.None);

        Assert.Equal([5L, 4, 3], first.Entries.Select(e => e.Sequence));
        Assert.Equal(3, first.NextBefore);
        Assert.Equal([1, 1, 1, 1], paged.Queries.Select(q => q.Documents));
    }

    [Fact]
    public async Task A_grant_taken_back_at_once_is_one_book_write_with_the_grant_and_its_reversal_pending_and_nothing_pending_leaves_no_field()
    {
        var account = Ids.NewAccount();
        var book = CreditBook.Empty(account).Apply(CreditOperation.Grant("cs:cs_1", Usd, 1_000, null, "pack:A", "pi_1", "cs_1", takenBack: true), At).Book!;

        var etag = await _store.TryWriteBookAsync(book, null, CancellationToken.None);
        var stored = (await _store.GetBookAsync(account, CancellationToken.None))!.Book;
        var raw = await RawBookAsync(account);

        Assert.Equal(
            [("grant:cs:cs_1", 1L, CreditEntryKind.Grant, 1_000L), ("reversal:pi_1", 2L, CreditEntryKind.Reversal, -1_000L)],
            stored.Pending.Select(e => (e.Key, e.Sequence, e.Kind, e.Amount)));
        Assert.Equal(book.Pending.SelectMany(e => e.Parts), stored.Pending.SelectMany(e => e.Parts));
        var grant = Assert.Single(stored.Grants);
        Assert.Equal((0L, (DateTimeOffset?)At, 1_000L), (grant.Remaining, grant.ReversedAt, grant.ReversedAmount));
        Assert.Equal((2, 2), ((int)raw["schemaVersion"]!, raw["pending"]!.AsArray().Count));

        Assert.NotNull(await _store.TryWriteBookAsync(stored.Settled(), etag, CancellationToken.None));
        Assert.Empty((await _store.GetBookAsync(account, CancellationToken.None))!.Book.Pending);
        Assert.False((await RawBookAsync(account)).ContainsKey("pending")); // as schema 1 wrote a settled book
    }

    [Fact]
    public async Task A_book_written_before_schema_2_with_its_one_pending_entry_as_an_object_reads_as_that_entry_pending()
    {
        var account = Ids.NewAccount();
        var book = CreditBook.Empty(account).Apply(CreditOperation.Grant("cs:cs_1", Usd, 1_000, null, "pack:A", "pi_1", "cs_1"), At).Book!;
        await _store.TryWriteBookAsync(book, null, CancellationToken.None);
        var raw = await RawBookAsync(account);
        raw["pending"] = raw["pending"]![0]!.DeepClone();
        raw["schemaVersion"] = 1;
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, account.Value);

        var stored = (await _store.GetBookAsync(account, CancellationToken.None))!.Book;

        var pending = Assert.Single(stored.Pending);
        Assert.Equal(("grant:cs:cs_1", 1L, CreditEntryKind.Grant, 1_000L), (pending.Key, pending.Sequence, pending.Kind, pending.Amount));
        Assert.Equal([new CreditPart("cs:cs_1", 1_000)], pending.Parts);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_grant_reversed_in_a_book_written_before_schema_2_reads_with_what_its_reversal_took(bool reversalStored)
    {
        // A pack of 1,000, 300 of it spent, then refunded: the reversal took the 700 left. Versions before schema 2
        // (d7039fd0, and one rolled back to that rewrites a newer book) keep reversedAt only, as the upgrade drill stored it;
        // the reversal is an entry, or still the book's one pending entry (schema 1: an object).
        var account = Ids.NewAccount();
        var book = CreditBook.Empty(account).Apply(CreditOperation.Grant("cs:cs_1", Usd, 1_000, null, "pack:A", "pi_1", "cs_1"), At).Book!.Settled();
        book = book.Apply(CreditOperation.Spend("invoice:run-1", Usd, 300, At, "run-1"), At).Book!.Settled();
        var reversed = book.Apply(CreditOperation.Reverse("pi_1", "ch_1"), At).Book!;
        if (reversalStored)
        {
            await _store.AddEntryAsync(account, Assert.Single(reversed.Pending), CancellationToken.None);
            reversed = reversed.Settled();
        }

        await _store.TryWriteBookAsync(reversed, null, CancellationToken.None);
        var raw = await RawBookAsync(account);
        var rawGrant = raw["grants"]![0]!.AsObject();
        rawGrant.Remove("reversedAmount");
        rawGrant.Remove("reinstatements");
        raw["schemaVersion"] = 1;
        if (!reversalStored)
        {
            raw["pending"] = raw["pending"]![0]!.DeepClone();
        }

        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, account.Value);

        var grant = Assert.Single((await _store.GetBookAsync(account, CancellationToken.None))!.Book.Grants);

        // What a refund that fails gives back (CreditBook's reinstatement): 0 would lose the customer's 700.
        Assert.Equal((0L, 700L), (grant.Remaining, grant.ReversedAmount));
    }

    [Fact]
    public async Task Concurrent_grants_spends_expiries_and_reversals_keep_the_balance_equal_to_the_sum_of_the_ledger()
    {
        var seeds = new Random(Seed);
        for (var run = 0; run < Runs; run++)
        {
            var seed = seeds.Next();
            try
            {
                await CreditLedgerScenario.RunAsync(seed, Ids.NewAccount(), _store);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                throw new InvalidOperationException($"Run {run} (seed {seed}) failed: {exception.Message}", exception);
            }
        }
    }

    private async Task<JsonObject> RawBookAsync(AccountId account) =>
        (await RawDocuments.ReadAsync(fixture.Containers.Accounts, "credits:" + account.Value, account.Value))!;

    private static CreditEntry Entry(int sequence) => new()
    {
        Key = "k" + sequence,
        Sequence = sequence,
        Kind = CreditEntryKind.Grant,
        Currency = Usd,
        Amount = 10,
        Parts = [new CreditPart("g" + sequence, 10)],
        At = At,
        Reference = "test",
    };
}
