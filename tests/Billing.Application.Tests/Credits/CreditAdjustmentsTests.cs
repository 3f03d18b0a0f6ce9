using Billing.Application.Credits;
using Billing.Application.Invoicing;
using Billing.Application.Outcomes;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Application.Tests.Credits;

public sealed class CreditAdjustmentsTests
{
    private static readonly AccountId User = AccountId.Parse("user-42");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryBillingAccountStore _accounts;
    private readonly InMemoryCreditLedgerStore _store = new();
    private readonly CreditLedger _ledger;
    private readonly CreditAdjustments _adjustments;

    public CreditAdjustmentsTests()
    {
        _accounts = new InMemoryBillingAccountStore(_time);
        _ledger = new CreditLedger(_store, new PendingInvoiceSpends(new InMemoryUsageLedger(), new InMemoryInvoiceRunStore()), _time, NullLogger<CreditLedger>.Instance);
        _adjustments = new CreditAdjustments(_accounts, _ledger, TestCatalog.Create(), _time, NullLogger<CreditAdjustments>.Instance);
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(-CreditOperation.MaxAmount - 1)]
    [InlineData(0)]
    [InlineData(CreditOperation.MaxAmount + 1)]
    [InlineData(long.MaxValue)]
    public async Task An_amount_outside_the_bounds_is_refused_as_invalid_and_nothing_is_posted(long amount)
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);

        var outcome = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(amount, "usd", "typo", "k1"), "ops-1", CancellationToken.None);

        var invalid = Assert.IsType<Invalid<CreditAdjusted>>(outcome);
        Assert.Equal(["amount"], invalid.Errors.Fields);
        Assert.Equal(0, (await _ledger.ReadAsync(User, CancellationToken.None)).Version);
    }

    [Theory]
    [InlineData("goodwill\nsecond line")]
    [InlineData("a\u0000b")]
    [InlineData("\u001b[31mred")] // a terminal escape
    [InlineData("refund \u202Edesrever")] // right-to-left override
    [InlineData("x\u2066isolated\u2069")]
    public async Task A_reason_with_characters_a_reader_does_not_see_is_refused_as_invalid_and_nothing_is_posted(string reason)
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);

        var outcome = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(500, "usd", reason, "k1"), "ops-1", CancellationToken.None);

        var invalid = Assert.IsType<Invalid<CreditAdjusted>>(outcome);
        Assert.Equal(["reason"], invalid.Errors.Fields);
        Assert.Equal(0, (await _ledger.ReadAsync(User, CancellationToken.None)).Version);
    }

    [Fact]
    public async Task A_reason_of_the_longest_length_is_kept_and_one_character_more_is_refused()
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);
        var longest = new string('r', CreditAdjustments.MaxReasonLength);

        var kept = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(500, "usd", longest, "k1"), "ops-1", CancellationToken.None);
        var refused = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(500, "usd", longest + "r", "k2"), "ops-1", CancellationToken.None);

        Assert.Equal(longest, Assert.IsType<Succeeded<CreditAdjusted>>(kept).Value.Entry.Reason);
        Assert.Equal(["reason"], Assert.IsType<Invalid<CreditAdjusted>>(refused).Errors.Fields);
    }

    [Fact]
    public async Task A_reason_in_any_script_with_emoji_is_kept_as_written()
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);
        const string reason = "Geste commercial, désolé · شكرا 👩‍💻";

        var outcome = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(500, "usd", reason, "k1"), "ops-1", CancellationToken.None);

        Assert.Equal(reason, Assert.IsType<Succeeded<CreditAdjusted>>(outcome).Value.Entry.Reason);
    }

    [Theory]
    [InlineData("uds")] // a typo of usd
    [InlineData("eur")] // a real currency no plan invoices in
    public async Task Credit_is_added_only_in_a_currency_usage_is_invoiced_in(string code)
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);

        var outcome = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(500, code, "goodwill", "k1"), "ops-1", CancellationToken.None);

        var invalid = Assert.IsType<Invalid<CreditAdjusted>>(outcome);
        Assert.Equal($"Credit is spent on usage invoices, which are in usd; credit in '{code}' could never be spent.", Assert.Single(invalid.Errors.For("currency")));
        Assert.Equal(0, (await _ledger.ReadAsync(User, CancellationToken.None)).Version);
    }

    [Theory]
    [InlineData(150, "isk")] // a króna and a half: a balance Stripe could never take exactly
    [InlineData(-50, "isk")] // taking half a króna away leaves such a balance too
    [InlineData(5_125, "kwd")] // three decimals, the last one not 0
    public async Task An_amount_Stripe_cannot_charge_as_is_in_its_currency_is_refused_as_invalid_and_nothing_is_posted(long amount, string code)
    {
        var adjustments = new CreditAdjustments(_accounts, _ledger, PlanCatalog.Create(TestCatalog.InvoicingProIn(code)), _time, NullLogger<CreditAdjustments>.Instance);
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);
        await _ledger.PostAsync(User, CreditOperation.Grant("cs_1", Currency.Parse(code), 100_000, null, "pack:OLD", "pi_1", "cs_1"), CancellationToken.None);

        var outcome = await adjustments.AdjustAsync(User, new CreditAdjustmentRequest(amount, code, "goodwill", "k1"), "ops-1", CancellationToken.None);
        var whole = await adjustments.AdjustAsync(User, new CreditAdjustmentRequest(amount * Currency.Parse(code).MinorUnitStep, code, "goodwill", "k2"), "ops-1", CancellationToken.None);

        var invalid = Assert.IsType<Invalid<CreditAdjusted>>(outcome);
        Assert.Equal(["amount"], invalid.Errors.Fields);
        Assert.Equal(Currency.Parse(code).NotWholeMessage(amount), Assert.Single(invalid.Errors.For("amount")));
        Assert.Equal(100_000 + (amount * Currency.Parse(code).MinorUnitStep), Assert.IsType<Succeeded<CreditAdjusted>>(whole).Value.Balance);
        Assert.Equal(2, (await _ledger.ReadAsync(User, CancellationToken.None)).Version); // the grant and the whole adjustment only
    }

    [Fact]
    public async Task Taking_away_more_than_is_spendable_is_refused_as_insufficient_credit_and_nothing_is_posted()
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);
        await _ledger.PostAsync(User, CreditOperation.Grant("cs_1", Currency.Parse("usd"), 700, null, "pack:OLD", "pi_1", "cs_1"), CancellationToken.None);

        var outcome = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(-701, "usd", "correction", "k1"), "ops-1", CancellationToken.None);

        var refusal = Assert.IsType<Refused<CreditAdjusted>>(outcome).Refusal;
        Assert.Equal((RefusalReason.InsufficientCredit, "Only 700 usd of credit can be taken."), (refusal.Reason, refusal.Detail));
        var book = await _ledger.ReadAsync(User, CancellationToken.None);
        Assert.Equal((1L, 700L), (book.Version, book.Balances()[Currency.Parse("usd")]));
        Assert.False(await _ledger.IsPostedAsync(User, "adjust:k1", CancellationToken.None)); // the key stays free for a smaller amount
    }

    [Fact]
    public async Task Credit_held_in_another_currency_can_still_be_taken_away()
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);
        await _ledger.PostAsync(User, CreditOperation.Grant("cs_1", Currency.Parse("eur"), 700, null, "pack:OLD", "pi_1", "cs_1"), CancellationToken.None);

        var outcome = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(-700, "eur", "bought in a currency no longer invoiced", "k1"), "ops-1", CancellationToken.None);

        Assert.Equal(0, Assert.IsType<Succeeded<CreditAdjusted>>(outcome).Value.Balance);
    }

    [Fact]
    public async Task The_largest_amount_is_granted_and_the_account_can_still_buy_credit_after_it()
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);

        var outcome = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(CreditOperation.MaxAmount, "usd", "largest", "k1"), "ops-1", CancellationToken.None);
        await _ledger.PostAsync(User, CreditOperation.Grant("cs_1", Currency.Parse("usd"), 1_000, null, "pack:CREDITS_10", "pi_1", "cs_1"), CancellationToken.None);

        Assert.Equal(CreditOperation.MaxAmount, Assert.IsType<Succeeded<CreditAdjusted>>(outcome).Value.Balance);
        Assert.Equal(CreditOperation.MaxAmount + 1_000, (await _ledger.ReadAsync(User, CancellationToken.None)).Balances()[Currency.Parse("usd")]);
    }

    [Fact]
    public async Task The_same_idempotency_key_sent_for_another_amount_or_currency_is_refused_and_posts_nothing()
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);
        await _ledger.PostAsync(User, CreditOperation.Grant("cs_1", Currency.Parse("usd"), 700, null, "pack:OLD", "pi_1", "cs_1"), CancellationToken.None);
        await _ledger.PostAsync(User, CreditOperation.Grant("cs_2", Currency.Parse("eur"), 700, null, "pack:OLD", "pi_2", "cs_2"), CancellationToken.None);
        var first = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(-100, "usd", "correction", "k1"), "ops-1", CancellationToken.None);

        var sameAgain = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(-100, "usd", "correction", "k1"), "ops-1", CancellationToken.None);
        var otherAmount = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(-200, "usd", "correction", "k1"), "ops-1", CancellationToken.None);
        var otherCurrency = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(-100, "eur", "correction", "k1"), "ops-1", CancellationToken.None);

        Assert.False(Assert.IsType<Succeeded<CreditAdjusted>>(first).Value.Replayed);
        var replay = Assert.IsType<Succeeded<CreditAdjusted>>(sameAgain).Value;
        Assert.Equal((true, -100L, 600L), (replay.Replayed, replay.Entry.Amount, replay.Balance));
        Assert.Equal(RefusalReason.IdempotencyKeyReused, Assert.IsType<Refused<CreditAdjusted>>(otherAmount).Refusal.Reason);
        Assert.Equal(RefusalReason.IdempotencyKeyReused, Assert.IsType<Refused<CreditAdjusted>>(otherCurrency).Refusal.Reason);
        var book = await _ledger.ReadAsync(User, CancellationToken.None);
        Assert.Equal((3L, 600L, 700L), (book.Version, book.Balances()[Currency.Parse("usd")], book.Balances()[Currency.Parse("eur")]));
    }

    [Fact]
    public async Task Without_an_idempotency_key_a_submit_after_the_first_one_posted_posts_again()
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);
        var request = new CreditAdjustmentRequest(500, "usd", "goodwill", null);

        var first = Assert.IsType<Succeeded<CreditAdjusted>>(await _adjustments.AdjustAsync(User, request, "ops-1", CancellationToken.None)).Value;
        var second = Assert.IsType<Succeeded<CreditAdjusted>>(await _adjustments.AdjustAsync(User, request, "ops-1", CancellationToken.None)).Value;

        Assert.Equal((false, false, 1_000L), (first.Replayed, second.Replayed, second.Balance));
        Assert.NotEqual(first.Entry.Key, second.Entry.Key);
    }

    [Fact]
    public async Task Without_an_idempotency_key_two_submits_racing_against_the_same_ledger_state_post_once()
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);
        var request = new CreditAdjustmentRequest(500, "usd", "goodwill", null);
        Outcome<CreditAdjusted>? racing = null;
        var storeCalls = 0;
        // The racing submit runs whole between the first one's read of the ledger (which derives its key) and its post.
        _store.Interleave = async () =>
        {
            if (++storeCalls == 2)
            {
                racing = await _adjustments.AdjustAsync(User, request, "ops-1", CancellationToken.None);
            }
        };

        var first = Assert.IsType<Succeeded<CreditAdjusted>>(await _adjustments.AdjustAsync(User, request, "ops-1", CancellationToken.None)).Value;

        Assert.False(Assert.IsType<Succeeded<CreditAdjusted>>(racing).Value.Replayed);
        Assert.Equal((true, 500L), (first.Replayed, first.Balance));
        Assert.Single(_store.Entries(User));
    }

    [Fact]
    public async Task An_account_never_registered_is_refused_as_not_found_and_nothing_is_posted()
    {
        var outcome = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(500, "usd", "goodwill", "k1"), "ops-1", CancellationToken.None);

        Assert.Equal(RefusalReason.AccountNotFound, Assert.IsType<Refused<CreditAdjusted>>(outcome).Refusal.Reason);
        Assert.Empty(_store.Entries(User));
    }

    [Theory]
    [InlineData("US", "currency")]
    [InlineData(null, "currency")]
    [InlineData("usd", "idempotencyKey", "")]
    [InlineData("usd", "idempotencyKey", "k\n1")]
    [InlineData("usd", "idempotencyKey", "129")]
    public async Task A_malformed_currency_or_idempotency_key_is_refused_as_invalid_on_its_field_and_nothing_is_posted(string? currency, string field, string? key = "k1")
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);
        key = key == "129" ? new string('k', 129) : key;

        var outcome = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(500, currency, "goodwill", key), "ops-1", CancellationToken.None);

        Assert.Equal([field], Assert.IsType<Invalid<CreditAdjusted>>(outcome).Errors.Fields);
        Assert.Empty(_store.Entries(User));
    }

    [Fact]
    public async Task An_idempotency_key_of_128_printable_characters_is_accepted()
    {
        await _accounts.GetOrCreateAsync(User, CancellationToken.None);

        var outcome = await _adjustments.AdjustAsync(User, new CreditAdjustmentRequest(500, "usd", "goodwill", new string('k', 128)), "ops-1", CancellationToken.None);

        Assert.Equal(500, Assert.IsType<Succeeded<CreditAdjusted>>(outcome).Value.Balance);
    }
}
