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

    private static CreditEntry Entry(int sequence) => new()
    {
        Key = "k" + sequence,
        Sequence = sequence,
        Kind = CreditEntryKind.Grant,
        Currency = Usd,
        Amount = 10,
        Parts = [new CreditPart("g" + sequence, 10)],
        At = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
        Reference = "test",
    };
}
