using Billing.Application.Credits;
using Billing.Application.Invoicing;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Application.Tests.Credits;

public sealed class CreditLedgerTests
{
    private static readonly AccountId User = AccountId.Parse("user-1");
    private static readonly Currency Usd = Currency.Parse("usd");
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly InMemoryCreditLedgerStore _store = new();
    private readonly CreditLedger _ledger;

    public CreditLedgerTests()
    {
        var time = new FakeTimeProvider(T0);
        _ledger = new CreditLedger(_store, new PendingInvoiceSpends(new InMemoryUsageLedger(), new InMemoryInvoiceRunStore()), time, NullLogger<CreditLedger>.Instance);
    }

    [Fact]
    public async Task A_post_that_wins_its_last_race_is_posted_and_one_that_loses_every_race_gives_up_after_MaxAttempts()
    {
        _store.LoseBookWrites = CreditLedger.MaxAttempts - 1;
        var posted = await _ledger.PostAsync(User, Grant("cs_1"), CancellationToken.None);

        _store.LoseBookWrites = CreditLedger.MaxAttempts;
        var gaveUp = await Assert.ThrowsAsync<CreditLedgerContentionException>(() => _ledger.PostAsync(User, Grant("cs_2"), CancellationToken.None));

        Assert.Equal(CreditPostingKind.Posted, posted.Kind);
        Assert.Equal(2 * CreditLedger.MaxAttempts - 1, _store.Conflicts);
        Assert.Equal($"The credit ledger of account {User} kept changing under {CreditLedger.MaxAttempts} attempts.", gaveUp.Message);
        Assert.Equal(["cs_1"], (await _ledger.ReadAsync(User, CancellationToken.None)).Grants.Select(g => g.GrantId));
    }

    [Fact]
    public async Task A_spend_left_pending_by_a_crash_is_written_out_and_given_back()
    {
        await _ledger.PostAsync(User, Grant("cs_1"), CancellationToken.None);
        _store.CrashAfterBookWrite = book => book.Pending.Any(e => e.Kind == CreditEntryKind.Spend); // the book holds it, its own document is missing
        await Assert.ThrowsAsync<SimulatedCrashException>(() => _ledger.PostAsync(User, CreditOperation.Spend("inv-1", Usd, 300, T0, "inv-1"), CancellationToken.None));
        _store.CrashAfterBookWrite = null;

        var restored = await _ledger.RestoreSpendAsync(User, CreditOperation.SpendKey("inv-1"), "void", CancellationToken.None);

        Assert.Equal((CreditPostingKind.Posted, 300L), (restored.Kind, restored.Entry!.Amount));
        Assert.Equal(500, restored.Book.Balances()[Usd]);
    }

    private static CreditOperation Grant(string id) => CreditOperation.Grant(id, Usd, 500, null, "pack:CREDITS_5", "pi_" + id, id);
}
