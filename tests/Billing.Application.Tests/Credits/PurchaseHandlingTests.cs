using Billing.Application;
using Billing.Application.Accounts;
using Billing.Application.Catalog;
using Billing.Application.Redirects;
using Billing.Application.Checkout;
using Billing.Application.Credits;
using Billing.Application.Payments;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Application.Tests.Fakes;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Pricing;
using Billing.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace Billing.Application.Tests.Credits;

/// <summary>
/// What a paid one-off purchase grants, once, whatever the delivery order; what a refund or a lost dispute takes back
/// (only the unspent part, once); and how an add-on raises a limit. Over the invoicing test bed, so an invoice can try
/// to spend what a purchase granted.
/// </summary>
public sealed class PurchaseHandlingTests
{
    private static readonly Currency Usd = Currency.Parse("usd");
    private readonly InvoicingTestBed _bed = new();
    private readonly UsageTestBed _usage;
    private readonly InMemoryCreditLedgerStore _store;
    private readonly InMemoryStripeCustomerLinks _links = new();
    private readonly FakeStripeBillingGateway _gateway = new();
    private readonly CreditLedger _ledger;
    private readonly PurchaseCatalog _catalog;
    private readonly PurchaseDelivery _purchases;
    private readonly PaymentReversalHandler _reversals;
    private readonly PurchaseReversal _reversal;
    private readonly FakeLogger<PurchaseCompletedHandler> _purchaseLog = new();

    public PurchaseHandlingTests()
    {
        var options = new PurchaseOptions();
        options.CreditPacks.Add(new CreditPackOptions { Code = "CREDITS_10", DisplayName = "$10", PriceId = "price_credits_10", Amount = 1_000, Currency = "usd", Credit = 1_000 });
        options.CreditPacks.Add(new CreditPackOptions { Code = "CREDITS_30D", DisplayName = "$10 for 30 days", PriceId = "price_credits_30d", Amount = 1_000, Currency = "usd", Credit = 1_000, ExpiresAfter = TimeSpan.FromDays(30) });
        options.AddOns.Add(new AddOnOptions { Code = "PROJECTS_5", DisplayName = "5 projects", PriceId = "price_projects_5", Amount = 1_500, Currency = "usd", Meter = "projects", Units = 5 });
        options.AddOns.Add(new AddOnOptions { Code = "RUNS_100", DisplayName = "100 runs", PriceId = "price_runs_100", Amount = 500, Currency = "usd", Meter = "agent_runs", Units = 100 });
        options.AddOns.Add(new AddOnOptions { Code = "CALLS_100", DisplayName = "100 API calls", PriceId = "price_calls_100", Amount = 500, Currency = "usd", Meter = "api_calls", Units = 100 });
        _catalog = PurchaseCatalog.Create(options, TestCatalog.Options());
        _usage = _bed.Usage;
        _store = _bed.CreditStore;
        _ledger = _bed.Credits;
        _reversal = new PurchaseReversal(_ledger, _usage.Accounts, _usage.IncludedUnits, _usage.Time);
        _purchases = Handler(_catalog);
        var resolver = new StripeEventAccountResolver(_links, NullLogger<StripeEventAccountResolver>.Instance);
        _reversals = new PaymentReversalHandler(resolver, _gateway, _reversal);
    }

    [Fact]
    public async Task A_paid_pack_is_granted_once_however_often_and_in_whatever_order_its_events_arrive()
    {
        var account = await AccountAsync();
        var completed = Session("cs_1", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed");
        var succeeded = completed with { Id = "evt_async", Type = "checkout.session.async_payment_succeeded" };

        var first = await _purchases.HandleAsync(account, succeeded, CancellationToken.None);
        var again = await _purchases.HandleAsync(account, completed, CancellationToken.None);
        var third = await _purchases.HandleAsync(account, completed, CancellationToken.None);

        Assert.True(first.IsApplied);
        Assert.False(again.IsApplied);
        Assert.False(third.IsApplied);
        Assert.Equal(1_000, (await _ledger.ReadAsync(account, CancellationToken.None)).Balances()[Usd]);
        var grant = Assert.Single(_store.Entries(account));
        Assert.Equal(CreditEntryKind.Grant, grant.Kind);
    }

    [Fact]
    public async Task A_purchase_event_redelivered_after_its_refund_leaves_the_pack_taken_back()
    {
        var account = await AccountAsync();
        var completed = Session("cs_17", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed");
        await _purchases.HandleAsync(account, completed, CancellationToken.None);
        _usage.Time.Advance(TimeSpan.FromMinutes(5));
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_17", "pi_cs_17"), CancellationToken.None);

        var redelivered = await _purchases.HandleAsync(account, completed, CancellationToken.None);

        Assert.False(redelivered.IsApplied);
        Assert.Equal(0, await BalanceAsync(account));
        Assert.Equal([CreditEntryKind.Grant, CreditEntryKind.Reversal], _store.Entries(account).OrderBy(e => e.Sequence).Select(e => e.Kind));
    }

    [Fact]
    public async Task An_unpaid_session_grants_nothing_until_its_async_payment_succeeds()
    {
        var account = await AccountAsync();

        var pending = await _purchases.HandleAsync(account, Session("cs_2", "credit_pack", "CREDITS_10", "unpaid", "checkout.session.completed"), CancellationToken.None);

        Assert.False(pending.IsApplied);
        Assert.Empty(_store.Entries(account));
        var paid = await _purchases.HandleAsync(account, Session("cs_2", "credit_pack", "CREDITS_10", "paid", "checkout.session.async_payment_succeeded"), CancellationToken.None);
        Assert.True(paid.IsApplied);
        Assert.Equal(1_000, (await _ledger.ReadAsync(account, CancellationToken.None)).Balances()[Usd]);
    }

    [Fact]
    public async Task Expired_credit_is_written_off_when_the_ledger_is_next_read_and_never_spent()
    {
        var account = await AccountAsync();
        await _purchases.HandleAsync(account, Session("cs_3", "credit_pack", "CREDITS_30D", "paid", "checkout.session.completed"), CancellationToken.None);
        _usage.Time.Advance(TimeSpan.FromDays(30));

        var spend = await _ledger.PostAsync(account, CreditOperation.Spend("late", Usd, 500, _usage.Time.GetUtcNow(), "late"), CancellationToken.None);

        Assert.Equal(CreditPostingKind.Nothing, spend.Kind);
        var expiry = Assert.Single(_store.Entries(account), e => e.Kind == CreditEntryKind.Expiry);
        Assert.Equal(-1_000, expiry.Amount);
        Assert.Equal(0, spend.Book.Balances()[Usd]);
    }

    [Fact]
    public async Task A_refund_takes_back_only_the_unspent_part_once_and_a_lost_dispute_after_it_takes_nothing_more()
    {
        var account = await AccountAsync();
        await _purchases.HandleAsync(account, Session("cs_4", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        await _ledger.PostAsync(account, CreditOperation.Spend("invoice:x", Usd, 300, _usage.Time.GetUtcNow(), "x"), CancellationToken.None);
        var refund = Charge("charge.refunded", "ch_4", "pi_cs_4");

        var first = await _reversals.HandleAsync(refund, CancellationToken.None);
        var duplicate = await _reversals.HandleAsync(refund with { Id = "evt_again" }, CancellationToken.None);
        _gateway.Charges["ch_4"] = new ChargeStanding("cus_" + account.Value, 0, Disputed: true);
        var dispute = await _reversals.HandleAsync(Dispute("ch_4", "pi_cs_4", "lost"), CancellationToken.None);

        Assert.True(first.IsApplied);
        Assert.False(duplicate.IsApplied);
        Assert.False(dispute.IsApplied);
        var reversal = Assert.Single(_store.Entries(account), e => e.Kind == CreditEntryKind.Reversal);
        Assert.Equal(-700, reversal.Amount);
        Assert.Equal(0, (await _ledger.ReadAsync(account, CancellationToken.None)).Balances()[Usd]);
    }

    [Fact]
    public async Task A_failed_refund_gives_back_what_its_reversal_took_once_and_a_later_refund_takes_it_back_again()
    {
        var account = await AccountAsync();
        var customer = "cus_" + account.Value;
        await _purchases.HandleAsync(account, Session("cs_f1", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        await _ledger.PostAsync(account, CreditOperation.Spend("invoice:f1", Usd, 300, _usage.Time.GetUtcNow(), "f1"), CancellationToken.None);
        _gateway.Charges["ch_f1"] = new ChargeStanding(customer, 1_000, Disputed: false);
        var refunded = Charge("charge.refunded", "ch_f1", "pi_cs_f1");
        Assert.True((await _reversals.HandleAsync(refunded, CancellationToken.None)).IsApplied);
        Assert.Equal(0, await BalanceAsync(account));

        _gateway.Charges["ch_f1"] = new ChargeStanding(customer, 0, Disputed: false); // the bank returned the refund
        var failed = await _reversals.HandleAsync(RefundFailed("re_f1", "ch_f1", "pi_cs_f1"), CancellationToken.None);
        var failedAgain = await _reversals.HandleAsync(RefundFailed("re_f1", "ch_f1", "pi_cs_f1"), CancellationToken.None);
        var refundedAgain = await _reversals.HandleAsync(refunded with { Id = "evt_redelivered" }, CancellationToken.None);

        Assert.True(failed.IsApplied, failed.Note);
        Assert.False(failedAgain.IsApplied);
        Assert.False(refundedAgain.IsApplied);
        Assert.Contains("failed or been canceled since", refundedAgain.Note, StringComparison.Ordinal);
        Assert.Equal(700, await BalanceAsync(account));
        var reinstatement = Assert.Single(_store.Entries(account), e => e.Kind == CreditEntryKind.Reinstatement);
        Assert.Equal((700L, "reinstatement:pi_cs_f1", "re_f1"), (reinstatement.Amount, reinstatement.Key, reinstatement.Reference));

        _gateway.Charges["ch_f1"] = new ChargeStanding(customer, 1_000, Disputed: false); // refunded again, to another card
        var second = await _reversals.HandleAsync(Charge("charge.refunded", "ch_f1", "pi_cs_f1"), CancellationToken.None);

        Assert.True(second.IsApplied, second.Note);
        Assert.Equal(0, await BalanceAsync(account));
        Assert.Equal(["reversal:pi_cs_f1", "reversal:pi_cs_f1:1"], _store.Entries(account).Where(e => e.Kind == CreditEntryKind.Reversal).Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_second_refund_that_fails_too_gives_back_what_its_own_reversal_took()
    {
        var account = await AccountAsync();
        var customer = "cus_" + account.Value;
        await _purchases.HandleAsync(account, Session("cs_f6", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        foreach (var refund in new[] { "re_f6a", "re_f6b" }) // refunded, the refund fails; refunded again, that one fails too
        {
            _gateway.Charges["ch_f6"] = new ChargeStanding(customer, 1_000, Disputed: false);
            Assert.True((await _reversals.HandleAsync(Charge("charge.refunded", "ch_f6", "pi_cs_f6"), CancellationToken.None)).IsApplied);
            _gateway.Charges["ch_f6"] = new ChargeStanding(customer, 0, Disputed: false);
            var failed = await _reversals.HandleAsync(RefundFailed(refund, "ch_f6", "pi_cs_f6"), CancellationToken.None);
            Assert.Equal((true, "Nothing takes the charge back now: gave back 1000 usd of credit."), (failed.IsApplied, failed.Note));
        }

        Assert.Equal(1_000, await BalanceAsync(account));
        Assert.Equal(
            ["reversal:pi_cs_f6", "reinstatement:pi_cs_f6", "reversal:pi_cs_f6:1", "reinstatement:pi_cs_f6:1"],
            _store.Entries(account).Where(e => e.Kind != CreditEntryKind.Grant).OrderBy(e => e.Sequence).Select(e => e.Key));
    }

    [Theory]
    [InlineData(500L, false)]
    [InlineData(0L, true)]
    public async Task A_failed_refund_gives_nothing_back_while_another_refund_or_a_dispute_still_takes_the_charge_back(long stillRefunded, bool disputed)
    {
        var account = await AccountAsync();
        await _purchases.HandleAsync(account, Session("cs_f2", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_f2", "pi_cs_f2"), CancellationToken.None);
        _gateway.Charges["ch_f2"] = new ChargeStanding("cus_" + account.Value, stillRefunded, disputed);

        var failed = await _reversals.HandleAsync(RefundFailed("re_f2", "ch_f2", "pi_cs_f2"), CancellationToken.None);

        Assert.False(failed.IsApplied);
        Assert.Contains("still takes the charge back", failed.Note, StringComparison.Ordinal);
        Assert.Equal(0, await BalanceAsync(account));
    }

    /// <summary>A give-back is decided on the charge's refunds and disputes as Stripe has them: an event naming no charge gives nothing back.</summary>
    [Fact]
    public async Task A_failed_refund_that_names_no_charge_gives_nothing_back()
    {
        var account = await AccountAsync();
        await _purchases.HandleAsync(account, Session("cs_f9", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        _gateway.Charges["ch_f9"] = new ChargeStanding("cus_" + account.Value, 1_000, Disputed: false);
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_f9", "pi_cs_f9"), CancellationToken.None);

        var failed = await _reversals.HandleAsync(RefundFailed("re_f9", "ch_f9", "pi_cs_f9") with { ChargeId = null, CustomerId = "cus_" + account.Value }, CancellationToken.None);

        Assert.Equal((false, "The event names no charge: nothing is given back."), (failed.IsApplied, failed.Note));
        Assert.Equal(0, await BalanceAsync(account));
    }

    [Fact]
    public async Task A_refund_that_fails_while_it_is_taken_back_is_given_back_by_the_refunds_own_recheck()
    {
        var account = await AccountAsync();
        var customer = "cus_" + account.Value;
        await _purchases.HandleAsync(account, Session("cs_r1", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        _gateway.Charges["ch_r1"] = new ChargeStanding(customer, 1_000, Disputed: false);
        // The failure lands right after the refund's first read; its own event, processed before the reversal was
        // written, found nothing to give back.
        _gateway.AfterChargeRead = _ => _gateway.Charges["ch_r1"] = new ChargeStanding(customer, 0, Disputed: false);
        Assert.False((await _reversals.HandleAsync(RefundFailed("re_r1", "ch_r1", "pi_cs_r1"), CancellationToken.None)).IsApplied);
        _gateway.Charges["ch_r1"] = new ChargeStanding(customer, 1_000, Disputed: false);

        var refunded = await _reversals.HandleAsync(Charge("charge.refunded", "ch_r1", "pi_cs_r1"), CancellationToken.None);

        Assert.True(refunded.IsApplied);
        Assert.Contains("given back again", refunded.Note, StringComparison.Ordinal);
        Assert.Equal(1_000, await BalanceAsync(account));
        Assert.Equal([CreditEntryKind.Grant, CreditEntryKind.Reversal, CreditEntryKind.Reinstatement], _store.Entries(account).OrderBy(e => e.Sequence).Select(e => e.Kind));
    }

    [Fact]
    public async Task A_payment_refunded_again_while_its_failed_refund_is_given_back_is_taken_back_again()
    {
        var account = await AccountAsync();
        var customer = "cus_" + account.Value;
        await _purchases.HandleAsync(account, Session("cs_r2", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        _gateway.Charges["ch_r2"] = new ChargeStanding(customer, 1_000, Disputed: false);
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_r2", "pi_cs_r2"), CancellationToken.None);
        _gateway.AfterChargeRead = null;
        _gateway.Charges["ch_r2"] = new ChargeStanding(customer, 0, Disputed: false);
        // An operator refunds again right after the failure's first read; that refund's event comes later.
        _gateway.AfterChargeRead = _ => _gateway.Charges["ch_r2"] = new ChargeStanding(customer, 1_000, Disputed: false);

        var failed = await _reversals.HandleAsync(RefundFailed("re_r2", "ch_r2", "pi_cs_r2"), CancellationToken.None);
        var second = await _reversals.HandleAsync(Charge("charge.refunded", "ch_r2", "pi_cs_r2"), CancellationToken.None);

        Assert.True(failed.IsApplied);
        Assert.Contains("taken back again", failed.Note, StringComparison.Ordinal);
        Assert.False(second.IsApplied);
        Assert.Equal(0, await BalanceAsync(account));
        Assert.Equal(["reversal:pi_cs_r2", "reinstatement:pi_cs_r2", "reversal:pi_cs_r2:1"], _store.Entries(account).Where(e => e.Kind != CreditEntryKind.Grant).OrderBy(e => e.Sequence).Select(e => e.Key));
    }

    /// <summary>
    /// Each event's note says what that event did. A refund event delivered again reads the charge refunded, the refund
    /// fails right after that read, and the failure's own event gives the credit back between the redelivery's recheck
    /// and its give-back: the redelivery changed nothing (the credit was taken back by its first delivery), so it is
    /// ignored with that note, not "given back again", which the failure's event did and says.
    /// </summary>
    [Fact]
    public async Task A_redelivered_refund_whose_failure_its_own_event_gave_back_meanwhile_is_noted_as_changing_nothing()
    {
        var account = await AccountAsync();
        var customer = "cus_" + account.Value;
        await _purchases.HandleAsync(account, Session("cs_r4", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        _gateway.Charges["ch_r4"] = new ChargeStanding(customer, 1_000, Disputed: false);
        var refunded = Charge("charge.refunded", "ch_r4", "pi_cs_r4");
        Assert.True((await _reversals.HandleAsync(refunded, CancellationToken.None)).IsApplied);
        StripeEventHandlingResult? failed = null;
        AfterChargeReads(
            () => _gateway.Charges["ch_r4"] = new ChargeStanding(customer, 0, Disputed: false), // the refund fails right after the redelivery's first read
            () => failed = _reversals.HandleAsync(RefundFailed("re_r4", "ch_r4", "pi_cs_r4"), CancellationToken.None).GetAwaiter().GetResult()); // its own event, right after the redelivery's recheck

        var redelivered = await _reversals.HandleAsync(refunded, CancellationToken.None);

        Assert.Equal((true, "Nothing takes the charge back now: gave back 1000 usd of credit."), (failed!.IsApplied, failed.Note));
        Assert.Equal((false, "The credit it paid for was taken back before."), (redelivered.IsApplied, redelivered.Note));
        Assert.Equal(1_000, await BalanceAsync(account));
        Assert.Equal([CreditEntryKind.Grant, CreditEntryKind.Reversal, CreditEntryKind.Reinstatement], _store.Entries(account).OrderBy(e => e.Sequence).Select(e => e.Kind));
    }

    /// <summary>
    /// The same from the other side: a failed refund gives the credit back, the charge is refunded again right after the
    /// failure's first read, and that refund's own event takes the credit back again between the failure's recheck and
    /// its take-back. The failure's event gave back (its note says so); the taking back again is the refund's, noted there.
    /// </summary>
    [Fact]
    public async Task A_failed_refund_whose_next_refund_its_own_event_took_back_meanwhile_is_noted_as_giving_back()
    {
        var account = await AccountAsync();
        var customer = "cus_" + account.Value;
        await _purchases.HandleAsync(account, Session("cs_r5", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        _gateway.Charges["ch_r5"] = new ChargeStanding(customer, 1_000, Disputed: false);
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_r5", "pi_cs_r5"), CancellationToken.None);
        _gateway.Charges["ch_r5"] = new ChargeStanding(customer, 0, Disputed: false); // the refund failed
        StripeEventHandlingResult? second = null;
        AfterChargeReads(
            () => _gateway.Charges["ch_r5"] = new ChargeStanding(customer, 1_000, Disputed: false), // an operator refunds again right after the failure's first read
            () => second = _reversals.HandleAsync(Charge("charge.refunded", "ch_r5", "pi_cs_r5"), CancellationToken.None).GetAwaiter().GetResult()); // that refund's event, right after the failure's recheck

        var failed = await _reversals.HandleAsync(RefundFailed("re_r5", "ch_r5", "pi_cs_r5"), CancellationToken.None);

        Assert.Equal((true, "Nothing takes the charge back now: gave back 1000 usd of credit."), (failed.IsApplied, failed.Note));
        Assert.Equal((true, "Took back 1000 usd of unspent credit."), (second!.IsApplied, second.Note));
        Assert.Equal(0, await BalanceAsync(account));
        Assert.Equal(["reversal:pi_cs_r5", "reinstatement:pi_cs_r5", "reversal:pi_cs_r5:1"], _store.Entries(account).Where(e => e.Kind != CreditEntryKind.Grant).OrderBy(e => e.Sequence).Select(e => e.Key));
    }

    [Theory]
    [InlineData("refund.updated", "succeeded", "The refund is 'succeeded': nothing changes.")]
    [InlineData("refund.updated", "pending", "The refund is 'pending': nothing changes.")]
    [InlineData("charge.dispute.closed", "under_review", "The dispute closed as 'under_review': nothing changes.")]
    public async Task A_refund_update_or_a_closed_dispute_that_neither_fails_nor_wins_gives_nothing_back_though_nothing_takes_the_charge_back_now(string type, string status, string note)
    {
        // Stripe already reads the charge as not taken back (the refund failed; its own event is on its way): an event
        // that only says the refund succeeded or is pending, or a dispute closed otherwise, changes nothing. The
        // refund's own failure gives back.
        var account = await AccountAsync();
        await _purchases.HandleAsync(account, Session("cs_r9", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_r9", "pi_cs_r9"), CancellationToken.None);
        _gateway.Charges["ch_r9"] = new ChargeStanding("cus_" + account.Value, 0, Disputed: false);

        var update = type == PaymentReversalHandler.DisputeClosed
            ? Dispute("ch_r9", "pi_cs_r9", status)
            : RefundFailed("re_r9", "ch_r9", "pi_cs_r9") with { Type = type, ObjectStatus = status };
        var result = await _reversals.HandleAsync(update, CancellationToken.None);

        Assert.Equal((false, note), (result.IsApplied, result.Note));
        Assert.Equal(0, await BalanceAsync(account));
    }

    [Theory]
    [InlineData("refund.updated", "canceled")]
    [InlineData("charge.dispute.closed", "won")]
    [InlineData("charge.dispute.closed", "warning_closed")] // an inquiry closed without a chargeback
    public async Task A_canceled_refund_or_a_won_dispute_gives_back_what_nothing_takes_back_any_more(string type, string status)
    {
        var account = await AccountAsync();
        var customer = "cus_" + account.Value;
        await _purchases.HandleAsync(account, Session("cs_r3", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_r3", "pi_cs_r3"), CancellationToken.None);
        _gateway.Charges["ch_r3"] = new ChargeStanding(customer, 0, Disputed: true); // the refund failed while a dispute was open
        Assert.False((await _reversals.HandleAsync(RefundFailed("re_r3", "ch_r3", "pi_cs_r3"), CancellationToken.None)).IsApplied);
        _gateway.Charges["ch_r3"] = new ChargeStanding(customer, 0, Disputed: false); // the refund canceled, or the dispute won

        var closing = type == PaymentReversalHandler.DisputeClosed
            ? Dispute("ch_r3", "pi_cs_r3", status)
            : RefundFailed("re_r3", "ch_r3", "pi_cs_r3") with { Type = type, ObjectStatus = status };
        var result = await _reversals.HandleAsync(closing, CancellationToken.None);

        Assert.True(result.IsApplied, result.Note);
        Assert.Equal(1_000, await BalanceAsync(account));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_refund_that_fails_while_an_early_refunded_purchase_is_being_granted_is_given_back_by_the_purchase_side(bool beforeItsGrant)
    {
        var account = await AccountAsync();
        var customer = "cus_" + account.Value;
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_r4", "pi_cs_r4"), CancellationToken.None); // remembered early
        _gateway.Charges["ch_r4"] = new ChargeStanding(customer, 0, Disputed: false);
        // The failure forgets the early refund and gives back what it finds taken back. Processed between the purchase's
        // read of the account and its grant (made taken back), it finds nothing yet: the purchase side gives it back.
        // Processed when the purchase side, after granting, has just seen the early refund again, it gives the grant
        // back itself, and the purchase side's stale read takes nothing back again.
        var fired = false;
        Task<StripeEventHandlingResult> FailAsync()
        {
            fired = true; // before the failure's own store calls
            return _reversals.HandleAsync(RefundFailed("re_r4", "ch_r4", "pi_cs_r4"), CancellationToken.None);
        }

        IBillingAccountStore accounts = _usage.Accounts;
        if (beforeItsGrant)
        {
            _store.Interleave = () => fired ? Task.CompletedTask : FailAsync();
        }
        else
        {
            accounts = new HookedAccountStore(_usage.Accounts) { ReadWhen = a => a?.WasReversedEarly("pi_cs_r4") == true, AfterRead = FailAsync };
        }

        var purchase = await HandlerOver(accounts).HandleAsync(account, Session("cs_r4", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);

        Assert.True(fired);
        Assert.True(purchase.IsApplied);
        Assert.Equal(1_000, await BalanceAsync(account));
        Assert.Equal([CreditEntryKind.Grant, CreditEntryKind.Reversal, CreditEntryKind.Reinstatement], _store.Entries(account).OrderBy(e => e.Sequence).Select(e => e.Kind));
    }

    [Fact]
    public async Task A_failed_refund_gives_back_a_revoked_add_on()
    {
        var account = await AccountAsync(); // free plan: 1 project
        await _purchases.HandleAsync(account, Session("cs_f3", "add_on", "PROJECTS_5", "paid", "checkout.session.completed"), CancellationToken.None);
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_f3", "pi_cs_f3"), CancellationToken.None);
        Assert.Equal(1, (await _usage.Entitlements.GetAsync(account, CancellationToken.None)).PolicyFor(UsageTestBed.Projects).Quota);
        _gateway.Charges["ch_f3"] = new ChargeStanding("cus_" + account.Value, 0, Disputed: false);

        var failed = await _reversals.HandleAsync(RefundFailed("re_f3", "ch_f3", "pi_cs_f3"), CancellationToken.None);

        Assert.True(failed.IsApplied, failed.Note);
        Assert.Equal(6, (await _usage.Entitlements.GetAsync(account, CancellationToken.None)).PolicyFor(UsageTestBed.Projects).Quota);
        Assert.Null(Assert.Single((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.AddOns).RevokedAt);
    }

    /// <summary>
    /// A refund processed before its purchase event, then failed after the purchase was granted taken back: the failure
    /// both forgets the early refund and gives back what it took. Its note in the event history names what the customer
    /// got back (the credit, the add-on), not the bookkeeping of the forgotten early refund.
    /// </summary>
    [Theory]
    [InlineData("credit_pack", "CREDITS_10", "gave back 1000 usd of credit.", 1_000L, 1)]
    [InlineData("add_on", "PROJECTS_5", "gave back the add-on it paid for.", 0L, 6)]
    public async Task A_failed_early_refund_of_a_purchase_granted_taken_back_is_noted_as_giving_back_what_it_bought(string purchase, string code, string gaveBack, long balance, int projects)
    {
        var account = await AccountAsync(); // free plan: 1 project
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_f5", "pi_cs_f5"), CancellationToken.None); // remembered early
        Assert.True((await _purchases.HandleAsync(account, Session("cs_f5", purchase, code, "paid", "checkout.session.completed"), CancellationToken.None)).IsApplied); // granted taken back
        _gateway.Charges["ch_f5"] = new ChargeStanding("cus_" + account.Value, 0, Disputed: false);

        var failed = await _reversals.HandleAsync(RefundFailed("re_f5", "ch_f5", "pi_cs_f5"), CancellationToken.None);

        Assert.Equal((true, "Nothing takes the charge back now: " + gaveBack), (failed.IsApplied, failed.Note));
        Assert.Empty((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.EarlyReversals);
        Assert.Equal(balance, (await _ledger.ReadAsync(account, CancellationToken.None)).Balances().GetValueOrDefault(Usd));
        Assert.Equal(projects, (await _usage.Entitlements.GetAsync(account, CancellationToken.None)).PolicyFor(UsageTestBed.Projects).Quota);
    }

    [Theory]
    [InlineData("credit_pack", "CREDITS_10")]
    [InlineData("add_on", "PROJECTS_5")]
    public async Task A_refund_that_failed_before_its_purchase_event_came_lets_the_purchase_be_granted(string purchase, string code)
    {
        var account = await AccountAsync();
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_f4", "pi_cs_f4"), CancellationToken.None); // remembered early
        _gateway.Charges["ch_f4"] = new ChargeStanding("cus_" + account.Value, 0, Disputed: false);

        var failed = await _reversals.HandleAsync(RefundFailed("re_f4", "ch_f4", "pi_cs_f4"), CancellationToken.None);
        var late = await _purchases.HandleAsync(account, Session("cs_f4", purchase, code, "paid", "checkout.session.completed"), CancellationToken.None);

        Assert.True(failed.IsApplied, failed.Note);
        Assert.True(late.IsApplied, late.Note);
        var stored = await _usage.Accounts.GetAsync(account, CancellationToken.None);
        Assert.Empty(stored!.EarlyReversals);
        Assert.Equal(purchase == "credit_pack" ? 1_000 : 0, (await _ledger.ReadAsync(account, CancellationToken.None)).Balances().GetValueOrDefault(Usd));
        Assert.Equal(purchase == "add_on" ? 6 : 1, (await _usage.Entitlements.GetAsync(account, CancellationToken.None)).PolicyFor(UsageTestBed.Projects).Quota);
    }

    [Fact]
    public async Task A_won_dispute_takes_nothing_and_a_lost_one_takes_the_unspent_credit()
    {
        var account = await AccountAsync();
        await _purchases.HandleAsync(account, Session("cs_5", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        _gateway.Charges["ch_5"] = new ChargeStanding("cus_" + account.Value, 0, Disputed: true);

        var won = await _reversals.HandleAsync(Dispute("ch_5", "pi_cs_5", "won"), CancellationToken.None);
        Assert.False(won.IsApplied);
        Assert.Equal(1_000, (await _ledger.ReadAsync(account, CancellationToken.None)).Balances()[Usd]);

        var lost = await _reversals.HandleAsync(Dispute("ch_5", "pi_cs_5", "lost"), CancellationToken.None);
        Assert.True(lost.IsApplied);
        Assert.Equal(0, (await _ledger.ReadAsync(account, CancellationToken.None)).Balances()[Usd]);
    }

    [Fact]
    public async Task A_lost_dispute_is_final_it_takes_back_the_unspent_credit_whatever_the_charges_read_says()
    {
        var account = await AccountAsync();
        await _purchases.HandleAsync(account, Session("cs_l1", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        _gateway.Charges["ch_l1"] = new ChargeStanding("cus_" + account.Value, 0, Disputed: false); // the read does not show the dispute

        var lost = await _reversals.HandleAsync(Dispute("ch_l1", "pi_cs_l1", "lost"), CancellationToken.None);

        Assert.True(lost.IsApplied, lost.Note);
        Assert.Equal(0, await BalanceAsync(account));
    }

    [Fact]
    public async Task A_lost_dispute_whose_charge_the_key_cannot_read_fails_and_takes_back_when_replayed_with_the_right_key()
    {
        var account = await AccountAsync();
        await _purchases.HandleAsync(account, Session("cs_k2", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        var lost = Dispute("ch_k2", "pi_cs_k2", "lost"); // a dispute names its charge, not the customer; the key reads another Stripe account

        var error = await Assert.ThrowsAsync<PaymentProviderException>(() => _reversals.HandleAsync(lost, CancellationToken.None));
        Assert.Contains("another Stripe account", error.Message, StringComparison.Ordinal); // not ignored for good: retried, kept for a replay

        _gateway.Charges["ch_k2"] = new ChargeStanding("cus_" + account.Value, 0, Disputed: true); // the right key
        var replayed = await _reversals.HandleAsync(lost, CancellationToken.None);

        Assert.True(replayed.IsApplied, replayed.Note);
        Assert.Equal(0, await BalanceAsync(account));
    }

    [Fact]
    public async Task A_failed_refund_whose_charge_the_key_cannot_read_fails_and_gives_back_when_replayed_with_the_right_key()
    {
        var account = await AccountAsync();
        var customer = "cus_" + account.Value;
        await _purchases.HandleAsync(account, Session("cs_k1", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        _gateway.Charges["ch_k1"] = new ChargeStanding(customer, 1_000, Disputed: false);
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_k1", "pi_cs_k1"), CancellationToken.None);
        _gateway.Charges.TryRemove("ch_k1", out _); // the key now reads another Stripe account: no such charge
        var failed = RefundFailed("re_k1", "ch_k1", "pi_cs_k1");

        var error = await Assert.ThrowsAsync<PaymentProviderException>(() => _reversals.HandleAsync(failed, CancellationToken.None));
        Assert.Contains("another Stripe account", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await BalanceAsync(account)); // not given back on a guess, and not lost: the event is retried

        _gateway.Charges["ch_k1"] = new ChargeStanding(customer, 0, Disputed: false); // the right key: the refund failed
        var replayed = await _reversals.HandleAsync(failed, CancellationToken.None);

        Assert.True(replayed.IsApplied, replayed.Note);
        Assert.Equal(1_000, await BalanceAsync(account));
    }

    [Fact]
    public async Task A_payment_disputed_while_its_failed_refund_is_given_back_is_taken_back_again()
    {
        var account = await AccountAsync();
        var customer = "cus_" + account.Value;
        await _purchases.HandleAsync(account, Session("cs_d3", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);
        _gateway.Charges["ch_d3"] = new ChargeStanding(customer, 1_000, Disputed: false);
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_d3", "pi_cs_d3"), CancellationToken.None);
        // The refund failed; the customer's bank opens a dispute right after the failure's first read. A give-back that
        // had seen the dispute would have given nothing back (an open dispute still takes the charge back).
        _gateway.Charges["ch_d3"] = new ChargeStanding(customer, 0, Disputed: false);
        _gateway.AfterChargeRead = _ => _gateway.Charges["ch_d3"] = new ChargeStanding(customer, 0, Disputed: true);

        var failed = await _reversals.HandleAsync(RefundFailed("re_d3", "ch_d3", "pi_cs_d3"), CancellationToken.None);

        Assert.True(failed.IsApplied);
        Assert.Contains("taken back again", failed.Note, StringComparison.Ordinal);
        Assert.Equal(0, await BalanceAsync(account));
    }

    [Fact]
    public async Task A_purchase_grants_what_it_was_sold_as_though_the_catalog_changed_or_stopped_selling_it_before_the_payment()
    {
        var account = await AccountAsync();
        var pack = Session("cs_terms", "credit_pack", "CREDITS_30D", "paid", "checkout.session.completed"); // sold: 1,000 for 30 days
        var addOn = Session("cs_terms_addon", "add_on", "PROJECTS_5", "paid", "checkout.session.completed"); // sold: 5 projects
        var changed = new PurchaseOptions();
        changed.CreditPacks.Add(new CreditPackOptions { Code = "CREDITS_30D", DisplayName = "$10", PriceId = "price_credits_30d", Amount = 1_000, Currency = "usd", Credit = 2_000 });
        var now = Handler(PurchaseCatalog.Create(changed, TestCatalog.Options())); // CREDITS_30D gives 2,000 for good; PROJECTS_5 is not sold

        Assert.True((await now.HandleAsync(account, pack, CancellationToken.None)).IsApplied);
        Assert.True((await now.HandleAsync(account, addOn, CancellationToken.None)).IsApplied);

        var grant = Assert.Single((await _ledger.ReadAsync(account, CancellationToken.None)).Grants);
        Assert.Equal((1_000L, _usage.Time.GetUtcNow() + TimeSpan.FromDays(30), "pack:CREDITS_30D"), (grant.Amount, grant.ExpiresAt, grant.Source));
        var granted = Assert.Single((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.AddOns);
        Assert.Equal(("PROJECTS_5", UsageTestBed.Projects, 5L), (granted.Code, granted.Meter, granted.Units));
    }

    [Fact]
    public async Task A_lifetime_runs_from_the_payment_not_from_a_late_delivery()
    {
        var account = await AccountAsync();
        var paid = Session("cs_late", "credit_pack", "CREDITS_30D", "paid", "checkout.session.async_payment_succeeded");
        _usage.Time.Advance(TimeSpan.FromDays(2)); // retried, or replayed from poison

        Assert.True((await _purchases.HandleAsync(account, paid, CancellationToken.None)).IsApplied);

        Assert.Equal(paid.Created + TimeSpan.FromDays(30), Assert.Single((await _ledger.ReadAsync(account, CancellationToken.None)).Grants).ExpiresAt);

        // One applied only after its whole lifetime (replayed from poison weeks later) is not born expired: it lasts from now.
        var stale = Session("cs_stale", "credit_pack", "CREDITS_30D", "paid", "checkout.session.completed");
        _usage.Time.Advance(TimeSpan.FromDays(31));
        Assert.True((await _purchases.HandleAsync(account, stale, CancellationToken.None)).IsApplied);
        var late = (await _ledger.ReadAsync(account, CancellationToken.None)).Grants.Single(g => g.GrantId == "cs:cs_stale");
        Assert.Equal((_usage.Time.GetUtcNow() + TimeSpan.FromDays(30), 1_000L), (late.ExpiresAt, late.Remaining));
    }

    [Fact]
    public async Task A_session_that_carries_no_terms_grants_what_the_catalog_sells_now_and_nothing_once_it_is_withdrawn()
    {
        var account = await AccountAsync();
        var legacy = Session("cs_legacy", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed") with { Purchase = new PurchaseTerms { Kind = "credit_pack", Code = "CREDITS_10" } };
        var withdrawn = Session("cs_withdrawn", "credit_pack", "CREDITS_GONE", "paid", "checkout.session.completed");

        Assert.True((await _purchases.HandleAsync(account, legacy, CancellationToken.None)).IsApplied);
        var ignored = await _purchases.HandleAsync(account, withdrawn, CancellationToken.None);

        Assert.Equal(1_000, Assert.Single((await _ledger.ReadAsync(account, CancellationToken.None)).Grants).Amount);
        Assert.False(ignored.IsApplied);
        Assert.Contains("CREDITS_GONE", ignored.Note, StringComparison.Ordinal);
    }

    /// <summary>
    /// A paid session whose purchase nothing grants any more (started before terms were written, its code withdrawn since,
    /// or a kind this build does not sell) is a payment with nothing for it: like terms that do not read back, it waits
    /// for an operator, so it is an error for the deployment's alert, naming the session, the account and the code.
    /// </summary>
    [Fact]
    public async Task A_paid_session_whose_purchase_is_no_longer_sold_is_logged_as_an_error_for_an_operator()
    {
        var account = await AccountAsync();
        var withdrawn = Session("cs_withdrawn", "credit_pack", "CREDITS_GONE", "paid", "checkout.session.completed");
        var unpaid = Session("cs_unpaid", "credit_pack", "CREDITS_GONE", "unpaid", "checkout.session.completed");

        var ignored = await _purchases.HandleAsync(account, withdrawn, CancellationToken.None);
        await _purchases.HandleAsync(account, unpaid, CancellationToken.None); // nothing paid yet: nothing waits

        Assert.False(ignored.IsApplied);
        var error = Assert.Single(_purchaseLog.Collector.GetSnapshot(), r => r.Level >= LogLevel.Error);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("cs_withdrawn", error.Message, StringComparison.Ordinal);
        Assert.Contains(account.Value, error.Message, StringComparison.Ordinal);
        Assert.Contains("CREDITS_GONE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_withdrawn_purchase_whose_payment_was_refunded_before_its_completion_waits_for_no_operator()
    {
        var account = await AccountAsync();
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_wd", "pi_cs_withdrawn_refunded"), CancellationToken.None); // remembered early
        var withdrawn = Session("cs_withdrawn_refunded", "credit_pack", "CREDITS_GONE", "paid", "checkout.session.completed");

        var ignored = await _purchases.HandleAsync(account, withdrawn, CancellationToken.None);

        Assert.False(ignored.IsApplied);
        Assert.Contains("nothing was granted", ignored.Note, StringComparison.Ordinal); // not "granted and taken back": the event history says what happened
        Assert.DoesNotContain(_purchaseLog.Collector.GetSnapshot(), r => r.Level >= LogLevel.Error); // refunded: nothing to grant or refund
        Assert.Contains(_purchaseLog.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("cs_withdrawn_refunded", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(PurchaseKinds.CreditPack, "CREDITS_10", StripeMetadataKeys.GrantCredit, "1e3")]
    [InlineData(PurchaseKinds.CreditPack, "CREDITS_10", StripeMetadataKeys.GrantCurrency, null)]
    [InlineData(PurchaseKinds.CreditPack, "CREDITS_30D", StripeMetadataKeys.GrantExpiresAfter, "30 days")]
    [InlineData(PurchaseKinds.AddOn, "PROJECTS_5", StripeMetadataKeys.GrantUnits, "5.0")]
    public async Task A_session_whose_terms_do_not_read_back_grants_nothing_not_even_what_the_catalog_sells_under_its_code(string purchase, string code, string key, string? value)
    {
        var account = await AccountAsync();
        var metadata = Session("cs_bad", purchase, code, "paid", "checkout.session.completed").Purchase!.ToMetadata().ToDictionary(StringComparer.Ordinal);
        if (value is null)
        {
            metadata.Remove(key);
        }
        else
        {
            metadata[key] = value;
        }

        var malformed = Session("cs_bad", purchase, code, "paid", "checkout.session.completed") with { Purchase = PurchaseTerms.FromMetadata(metadata) };

        var ignored = await _purchases.HandleAsync(account, malformed, CancellationToken.None);
        var again = await _purchases.HandleAsync(account, malformed with { Id = "evt_replayed" }, CancellationToken.None); // a replay cannot mend it

        Assert.False(ignored.IsApplied);
        Assert.False(again.IsApplied);
        Assert.Contains("does not read back from its metadata", ignored.Note, StringComparison.Ordinal);
        Assert.Contains(key, ignored.Note, StringComparison.Ordinal);
        Assert.Empty(_store.Entries(account));
        Assert.Empty((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.AddOns);
    }

    /// <summary>
    /// No client sets what a session charges: Stripe charges the price it names. So a charge other than the price the
    /// pack was sold at means the catalog's amount (what the pricing page shows, and what the terms grant) and the Stripe
    /// price disagree, and every sale charges so until someone fixes one of them: an error for the operator, though the
    /// purchase is granted on its terms. One charged as sold logs nothing at that level.
    /// </summary>
    [Fact]
    public async Task A_session_that_charged_other_than_it_was_sold_at_is_logged_as_an_error_for_an_operator()
    {
        var account = await AccountAsync();
        var overcharged = Session("cs_1100", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed") with { AmountTotal = 1_100, Currency = "usd" };
        var asSold = Session("cs_1000_ok", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed") with { AmountTotal = 1_000, Currency = "usd" };

        Assert.True((await _purchases.HandleAsync(account, overcharged, CancellationToken.None)).IsApplied);
        Assert.True((await _purchases.HandleAsync(account, asSold, CancellationToken.None)).IsApplied);

        var error = Assert.Single(_purchaseLog.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("cs_1100", error.Message, StringComparison.Ordinal);
        Assert.Contains("paid 1100 usd, sold at 1000 usd", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_that_charged_other_than_its_price_is_granted_on_its_terms_with_a_remark_and_one_that_charged_its_frozen_price_without()
    {
        var account = await AccountAsync();
        var underpaid = Session("cs_900", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed") with { AmountTotal = 900, Currency = "usd" };
        var legacy = Session("cs_legacy_900", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed") with { AmountTotal = 900, Currency = "usd", Purchase = new PurchaseTerms { Kind = "credit_pack", Code = "CREDITS_10" } };
        var repriced = new PurchaseOptions();
        repriced.CreditPacks.Add(new CreditPackOptions { Code = "CREDITS_10", DisplayName = "$10", PriceId = "price_credits_10_new", Amount = 1_500, Currency = "usd", Credit = 1_000 });
        var paidAsSold = Session("cs_1000", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed") with { AmountTotal = 1_000, Currency = "usd" }; // sold at 1,000 before the repricing

        var remarked = await _purchases.HandleAsync(account, underpaid, CancellationToken.None);
        var legacyRemarked = await _purchases.HandleAsync(account, legacy, CancellationToken.None); // the catalog's price, where only it is known
        var plain = await Handler(PurchaseCatalog.Create(repriced, TestCatalog.Options())).HandleAsync(account, paidAsSold, CancellationToken.None);

        Assert.True(remarked.IsApplied && legacyRemarked.IsApplied && plain.IsApplied);
        Assert.Contains("(paid 900 usd, sold at 1000 usd): granted on its terms", remarked.Note, StringComparison.Ordinal);
        Assert.Contains("(paid 900 usd, sold at 1000 usd)", legacyRemarked.Note, StringComparison.Ordinal);
        Assert.Equal("Granted 1000 usd of credit (CREDITS_10).", plain.Note);
        Assert.Equal(3_000, await BalanceAsync(account)); // what the terms grant, whatever was charged
    }

    [Fact]
    public async Task An_allocation_add_on_raises_the_limit_once_and_a_refund_revokes_it()
    {
        var account = await AccountAsync(); // free plan: 1 project
        var session = Session("cs_6", "add_on", "PROJECTS_5", "paid", "checkout.session.completed");

        Assert.True((await _purchases.HandleAsync(account, session, CancellationToken.None)).IsApplied);
        Assert.False((await _purchases.HandleAsync(account, session with { Type = "checkout.session.async_payment_succeeded" }, CancellationToken.None)).IsApplied);

        for (var i = 0; i < 6; i++)
        {
            (await TakeProjectAsync(account, i)).AssertSucceeded();
        }

        Assert.Equal(Outcomes.RefusalReason.QuotaExceeded, (await TakeProjectAsync(account, 6)).AssertRefused().Reason);
        var stored = await _usage.Accounts.GetAsync(account, CancellationToken.None);
        Assert.Single(stored!.AddOns);

        Assert.True((await _reversals.HandleAsync(Charge("charge.refunded", "ch_6", "pi_cs_6", "cus_" + account.Value), CancellationToken.None)).IsApplied);
        var entitlement = await _usage.Entitlements.GetAsync(account, CancellationToken.None);
        Assert.Equal(1, entitlement.PolicyFor(UsageTestBed.Projects).Quota);
    }

    [Fact]
    public async Task An_allocation_add_on_without_expiry_keeps_raising_the_limit_after_the_period_it_was_bought_in()
    {
        var account = await AccountAsync(); // free plan: 1 project, calendar months
        await _purchases.HandleAsync(account, Session("cs_18", "add_on", "PROJECTS_5", "paid", "checkout.session.completed"), CancellationToken.None);

        _usage.Time.Advance(TimeSpan.FromDays(62));

        Assert.Equal(6, (await _usage.Entitlements.GetAsync(account, CancellationToken.None)).PolicyFor(UsageTestBed.Projects).Quota);
        Assert.Null(Assert.Single((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.AddOns).PeriodKey); // held units are not per period
    }

    [Fact]
    public async Task A_consumption_add_on_without_expiry_raises_the_limit_of_the_period_it_was_bought_in_only()
    {
        var account = await AccountAsync(); // free plan: 10 agent runs a calendar month
        await _purchases.HandleAsync(account, Session("cs_7", "add_on", "RUNS_100", "paid", "checkout.session.completed"), CancellationToken.None);

        var now = await _usage.Entitlements.GetAsync(account, CancellationToken.None);
        Assert.Equal(110, now.PolicyFor(UsageTestBed.AgentRuns).Quota);
        (await _usage.RecordAsync(account, UsageTestBed.AgentRuns, 110)).AssertSucceeded();
        Assert.Equal(Outcomes.RefusalReason.QuotaExceeded, (await _usage.RecordAsync(account, UsageTestBed.AgentRuns, 1)).AssertRefused().Reason);
        var report = (await _usage.Report.GetAsync(account, "current", CancellationToken.None)).AssertSucceeded();
        var runs = Assert.Single(report.Periods).Meters.Single(m => m.Meter == UsageTestBed.AgentRuns);
        Assert.Equal((110L, 110L), (runs.Used, runs.Quota!.Value));

        _usage.Time.SetUtcNow(now.PeriodEnd.AddHours(1));
        var next = await _usage.Entitlements.GetAsync(account, CancellationToken.None);
        Assert.Equal(10, next.PolicyFor(UsageTestBed.AgentRuns).Quota);
    }

    [Fact]
    public async Task A_consumption_add_on_with_a_lifetime_raises_the_limit_beyond_the_period_it_was_bought_in()
    {
        var account = await AccountAsync(); // free plan: 10 agent runs a calendar month
        var session = Session("cs_7e", "add_on", "RUNS_100", "paid", "checkout.session.completed");
        await _purchases.HandleAsync(account, session with { Purchase = session.Purchase! with { ExpiresAfter = TimeSpan.FromDays(60) } }, CancellationToken.None);

        var now = await _usage.Entitlements.GetAsync(account, CancellationToken.None);
        _usage.Time.SetUtcNow(now.PeriodEnd.AddHours(1));

        Assert.Equal(110, (await _usage.Entitlements.GetAsync(account, CancellationToken.None)).PolicyFor(UsageTestBed.AgentRuns).Quota);
    }

    [Fact]
    public async Task An_add_ons_lifetime_runs_from_the_payment_not_from_a_late_delivery()
    {
        var account = await AccountAsync();
        var session = Session("cs_late_addon", "add_on", "PROJECTS_5", "paid", "checkout.session.async_payment_succeeded");
        session = session with { Purchase = session.Purchase! with { ExpiresAfter = TimeSpan.FromDays(30) } };
        _usage.Time.Advance(TimeSpan.FromDays(2)); // retried, or replayed from poison

        Assert.True((await _purchases.HandleAsync(account, session, CancellationToken.None)).IsApplied);

        var granted = Assert.Single((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.AddOns);
        Assert.Equal(session.Created + TimeSpan.FromDays(30), granted.ExpiresAt);
    }

    [Theory]
    [InlineData("credit_pack", "CREDITS_10")]
    [InlineData("add_on", "PROJECTS_5")]
    public async Task A_refund_processed_before_its_purchase_event_means_the_purchase_is_granted_and_taken_back_at_once(string purchase, string code)
    {
        var account = await AccountAsync();

        var refund = await _reversals.HandleAsync(Charge("charge.refunded", "ch_9", "pi_cs_9", "cus_" + account.Value), CancellationToken.None);
        var late = await _purchases.HandleAsync(account, Session("cs_9", purchase, code, "paid", "checkout.session.completed"), CancellationToken.None);
        var redelivered = await _purchases.HandleAsync(account, Session("cs_9", purchase, code, "paid", "checkout.session.completed"), CancellationToken.None);

        Assert.False(refund.IsApplied);
        Assert.True(late.IsApplied);
        Assert.Contains("refunded or lost in a dispute before, so it was taken back at once", late.Note, StringComparison.Ordinal);
        Assert.False(redelivered.IsApplied);
        Assert.Equal(purchase == PurchaseKinds.CreditPack ? [CreditEntryKind.Grant, CreditEntryKind.Reversal] : [], _store.Entries(account).Select(e => e.Kind));
        Assert.Equal(0, (await _ledger.ReadAsync(account, CancellationToken.None)).Balances().GetValueOrDefault(Usd));
        var stored = await _usage.Accounts.GetAsync(account, CancellationToken.None);
        AssertAllRevoked(stored!.AddOns, purchase == PurchaseKinds.AddOn ? 1 : 0);
        Assert.Equal("pi_cs_9", Assert.Single(stored.EarlyReversals).PaymentIntentId);
        Assert.Equal(1, (await _usage.Entitlements.GetAsync(account, CancellationToken.None)).PolicyFor(UsageTestBed.Projects).Quota);
    }

    [Fact]
    public async Task A_refund_that_fails_before_an_early_refunded_packs_grant_whose_delivery_then_stops_is_given_back_by_the_redelivery()
    {
        var account = await AccountAsync();
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_w3", "pi_cs_w3"), CancellationToken.None); // remembered early
        _gateway.Charges["ch_w3"] = new ChargeStanding("cus_" + account.Value, 0, Disputed: false);
        var session = Session("cs_w3", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed");
        // The failure is processed between the purchase's read of the account and its grant (made taken back, as read):
        // it forgets the early refund and finds no grant to give back. Then the instance dies before its re-check.
        var fired = false;
        _store.Interleave = async () =>
        {
            if (!fired)
            {
                fired = true;
                await _reversals.HandleAsync(RefundFailed("re_w3", "ch_w3", "pi_cs_w3"), CancellationToken.None);
            }
        };
        var crashed = false;
        _store.CrashAfterBookWrite = book => book.Grants.Count > 0 && !crashed && (crashed = true); // right after the grant's write

        await Assert.ThrowsAsync<SimulatedCrashException>(() => _purchases.HandleAsync(account, session, CancellationToken.None));
        var afterCrash = await BalanceAsync(account);
        await _purchases.HandleAsync(account, session, CancellationToken.None);
        await _purchases.HandleAsync(account, session, CancellationToken.None); // and again: once

        Assert.Equal(0, afterCrash);
        Assert.Equal(1_000, await BalanceAsync(account));
        Assert.Equal([CreditEntryKind.Grant, CreditEntryKind.Reversal, CreditEntryKind.Reinstatement], _store.Entries(account).OrderBy(e => e.Sequence).Select(e => e.Kind));
    }

    [Fact]
    public async Task A_redelivered_early_refunded_pack_leaves_a_refund_made_after_the_first_one_failed_taken_back()
    {
        var account = await AccountAsync();
        var customer = "cus_" + account.Value;
        var session = Session("cs_w9", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed");
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_w9", "pi_cs_w9"), CancellationToken.None); // remembered early
        await _purchases.HandleAsync(account, session, CancellationToken.None); // granted taken back
        // A redelivery of the purchase reads the early refund. Before it looks again, the refund fails (the early refund is
        // forgotten, the credit given back) and the charge is refunded again (taken back again, numbered after the
        // reinstatement): this delivery granted nothing, so it has nothing to give back.
        var fired = false;
        _store.Interleave = async () =>
        {
            if (!fired)
            {
                fired = true;
                _gateway.Charges["ch_w9"] = new ChargeStanding(customer, 0, Disputed: false);
                await _reversals.HandleAsync(RefundFailed("re_w9", "ch_w9", "pi_cs_w9"), CancellationToken.None);
                _gateway.Charges["ch_w9"] = new ChargeStanding(customer, 1_000, Disputed: false);
                await _reversals.HandleAsync(Charge("charge.refunded", "ch_w9", "pi_cs_w9") with { Id = "evt_refunded_again" }, CancellationToken.None);
            }
        };

        var redelivered = await _purchases.HandleAsync(account, session, CancellationToken.None);

        Assert.True(fired);
        Assert.False(redelivered.IsApplied, redelivered.Note);
        Assert.Equal(0, await BalanceAsync(account));
        Assert.Equal(
            [CreditEntryKind.Grant, CreditEntryKind.Reversal, CreditEntryKind.Reinstatement, CreditEntryKind.Reversal],
            _store.Entries(account).OrderBy(e => e.Sequence).Select(e => e.Kind));
    }

    [Fact]
    public async Task An_early_refunded_pack_whose_delivery_stops_after_its_first_write_is_never_spendable_not_even_by_an_invoice_before_the_redelivery()
    {
        var subscriber = await _bed.ClosedProPeriodAsync(); // a PRO period with overage, closed: its invoice job may run
        await _links.LinkAsync(subscriber.CustomerId, subscriber.Id, CancellationToken.None);
        Assert.False((await _reversals.HandleAsync(Charge("charge.refunded", "ch_w1", "pi_cs_w1", subscriber.CustomerId), CancellationToken.None)).IsApplied); // remembered early
        var session = Session("cs_w1", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed");
        var crashed = false;
        _store.CrashAfterBookWrite = _ => !crashed && (crashed = true); // the instance dies right after the purchase's first ledger write

        await Assert.ThrowsAsync<SimulatedCrashException>(() => _purchases.HandleAsync(subscriber.Id, session, CancellationToken.None));
        var afterCrash = _store.Book(subscriber.Id)!.Spendable(Usd, _usage.Time.GetUtcNow());
        var run = await _bed.DeliverAsync(subscriber.Job); // the account's invoice job runs before the redelivery
        var redelivered = await _purchases.HandleAsync(subscriber.Id, session, CancellationToken.None);

        Assert.Equal(0, afterCrash);
        Assert.Equal((0L, InvoicingTestBed.Total), (run!.CreditApplied, Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId)).Total));
        Assert.False(redelivered.IsApplied, redelivered.Note); // granted and taken back by the first delivery's one write
        Assert.Equal([(CreditEntryKind.Grant, 1_000L), (CreditEntryKind.Reversal, -1_000L)], _store.Entries(subscriber.Id).Select(e => (e.Kind, e.Amount)));
        Assert.Equal(0, await BalanceAsync(subscriber.Id));
    }

    [Fact]
    public async Task An_early_refunded_add_on_whose_delivery_stops_after_its_first_write_never_raises_the_limit()
    {
        var account = await AccountAsync(); // free plan: 1 project
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_w2", "pi_cs_w2"), CancellationToken.None); // remembered early
        var session = Session("cs_w2", "add_on", "PROJECTS_5", "paid", "checkout.session.completed");
        var first = HandlerOver(new HookedAccountStore(_usage.Accounts) { AfterUpdate = () => throw new SimulatedCrashException() }); // the instance dies right after the add-on is written

        await Assert.ThrowsAsync<SimulatedCrashException>(() => first.HandleAsync(account, session, CancellationToken.None));
        var quota = (await _usage.Entitlements.GetAsync(account, CancellationToken.None)).PolicyFor(UsageTestBed.Projects).Quota;
        var taken = await TakeProjectAsync(account, 0);
        var beyond = await TakeProjectAsync(account, 1); // an allocation before the redelivery
        var redelivered = await _purchases.HandleAsync(account, session, CancellationToken.None);

        Assert.Equal(1, quota);
        taken.AssertSucceeded();
        Assert.Equal(Outcomes.RefusalReason.QuotaExceeded, beyond.AssertRefused().Reason);
        Assert.False(redelivered.IsApplied, redelivered.Note);
        var addOn = Assert.Single((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.AddOns);
        Assert.Equal(addOn.GrantedAt, addOn.RevokedAt);
    }

    [Theory]
    [InlineData("credit_pack", "CREDITS_10")]
    [InlineData("add_on", "PROJECTS_5")]
    public async Task A_purchase_granted_while_its_refund_was_being_noted_is_taken_back_by_the_purchase_side(string purchase, string code)
    {
        var account = await AccountAsync();
        await _usage.Accounts.UpdateAsync(account, a => a.NoteEarlyReversal("pi_cs_10", _usage.Time.GetUtcNow()), CancellationToken.None);
        // The purchase's handler read the account just before the refund's handler noted the payment.
        var stale = new StaleFirstRead(_usage.Accounts);
        var purchases = HandlerOver(stale);

        var result = await purchases.HandleAsync(account, Session("cs_10", purchase, code, "paid", "checkout.session.completed"), CancellationToken.None);

        Assert.True(result.IsApplied);
        Assert.Contains("taken back at once", result.Note, StringComparison.Ordinal);
        Assert.Equal(0, (await _ledger.ReadAsync(account, CancellationToken.None)).Balances().GetValueOrDefault(Usd));
        AssertAllRevoked((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.AddOns, purchase == PurchaseKinds.AddOn ? 1 : 0);
        Assert.Equal(1, (await _usage.Entitlements.GetAsync(account, CancellationToken.None)).PolicyFor(UsageTestBed.Projects).Quota);
    }

    [Theory]
    [InlineData("credit_pack", "CREDITS_10")]
    [InlineData("add_on", "PROJECTS_5")]
    public async Task A_purchase_granted_after_its_refund_found_nothing_and_before_it_noted_the_payment_is_taken_back_by_the_refund_side(string purchase, string code)
    {
        var account = await AccountAsync();
        // The purchase's whole handling (grant, then its look for an early refund: none yet) runs between the refund's
        // first look (nothing granted) and its note of the payment.
        var purchased = new HookedAccountStore(_usage.Accounts) { BeforeUpdate = () => _purchases.HandleAsync(account, Session("cs_13", purchase, code, "paid", "checkout.session.completed"), CancellationToken.None) };
        var reversal = new PurchaseReversal(_ledger, purchased, _usage.IncludedUnits, _usage.Time);

        var taken = await reversal.ReverseAsync(account, "pi_cs_13", "ch_13", CancellationToken.None);

        Assert.Equal((true, false), (taken.Changed, taken.NothingApplied));
        Assert.Equal(0, (await _ledger.ReadAsync(account, CancellationToken.None)).Balances().GetValueOrDefault(Usd));
        AssertAllRevoked((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.AddOns, purchase == PurchaseKinds.AddOn ? 1 : 0);
        Assert.Equal(1, (await _usage.Entitlements.GetAsync(account, CancellationToken.None)).PolicyFor(UsageTestBed.Projects).Quota);
    }

    [Fact]
    public async Task A_refund_processed_while_the_purchase_side_looks_for_an_early_refund_stays_taken_back()
    {
        var account = await AccountAsync();
        // The pack is granted as paid; as the purchase side reads the account for an early refund, the refund takes the
        // grant back (at the grant's instant: the clock does not move here) without noting anything.
        var accounts = new HookedAccountStore(_usage.Accounts) { AfterRead = () => _reversal.ReverseAsync(account, "pi_cs_15", "ch_15", CancellationToken.None) };

        await HandlerOver(accounts).HandleAsync(account, Session("cs_15", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);

        Assert.Equal(0, await BalanceAsync(account)); // nothing failed: nothing is given back
        Assert.Equal([CreditEntryKind.Grant, CreditEntryKind.Reversal], _store.Entries(account).OrderBy(e => e.Sequence).Select(e => e.Kind));
    }

    [Fact]
    public async Task A_refund_that_fails_while_the_purchase_side_takes_its_pack_back_is_given_back_by_the_purchase_side()
    {
        var account = await AccountAsync();
        await _usage.Accounts.UpdateAsync(account, a => a.NoteEarlyReversal("pi_cs_14", _usage.Time.GetUtcNow()), CancellationToken.None);
        // The purchase read the account before the refund was noted and granted the pack as paid; when it sees the refund,
        // the refund's failure is processed: it forgets the refund and finds no reversal yet, so gives nothing back.
        var accounts = new HookedAccountStore(new StaleFirstRead(_usage.Accounts))
        {
            ReadWhen = a => a?.WasReversedEarly("pi_cs_14") == true,
            AfterRead = () => _reversal.GiveBackAsync(account, "pi_cs_14", "re_14", CancellationToken.None),
        };

        await HandlerOver(accounts).HandleAsync(account, Session("cs_14", "credit_pack", "CREDITS_10", "paid", "checkout.session.completed"), CancellationToken.None);

        Assert.Equal(1_000, await BalanceAsync(account)); // taken back, then given back: the refund failed
        Assert.Equal([CreditEntryKind.Grant, CreditEntryKind.Reversal, CreditEntryKind.Reinstatement], _store.Entries(account).OrderBy(e => e.Sequence).Select(e => e.Kind));
    }

    [Theory]
    [InlineData("credit_pack", "CREDITS_10")]
    [InlineData("add_on", "PROJECTS_5")]
    public async Task A_purchase_granted_by_a_delivery_that_stopped_before_taking_it_back_is_taken_back_by_the_redelivery(string purchase, string code)
    {
        var account = await AccountAsync();
        await _usage.Accounts.UpdateAsync(account, a => a.NoteEarlyReversal("pi_cs_12", _usage.Time.GetUtcNow()), CancellationToken.None);
        // The first delivery read the account before the refund was noted, granted, then failed to read it again.
        var failing = new StaleFirstRead(_usage.Accounts, failFirstGet: true);
        var first = HandlerOver(failing);
        var session = Session("cs_12", purchase, code, "paid", "checkout.session.completed");
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => first.HandleAsync(account, session, CancellationToken.None));

        var redelivered = await _purchases.HandleAsync(account, session, CancellationToken.None);
        var again = await _purchases.HandleAsync(account, session, CancellationToken.None);

        // A pack: it took back what the first delivery granted. An add-on: the first delivery's own write saw the noted
        // refund (an account update runs on the account as stored) and granted it revoked; nothing was left to take back.
        Assert.Equal(purchase == PurchaseKinds.CreditPack, redelivered.IsApplied);
        Assert.False(again.IsApplied);
        Assert.Equal(0, (await _ledger.ReadAsync(account, CancellationToken.None)).Balances().GetValueOrDefault(Usd));
        AssertAllRevoked((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.AddOns, purchase == PurchaseKinds.AddOn ? 1 : 0);
        Assert.Equal(1, (await _usage.Entitlements.GetAsync(account, CancellationToken.None)).PolicyFor(UsageTestBed.Projects).Quota);
        Assert.True(purchase != PurchaseKinds.CreditPack || _store.Entries(account).Count(e => e.Kind == CreditEntryKind.Reversal) == 1);
    }

    [Fact]
    public async Task A_consumption_add_on_bought_after_the_last_count_is_billed_with_and_its_refund_bills_without_it()
    {
        var (account, period) = _usage.Subscribe(TestCatalog.ProMonthly); // PRO: 1,000 runs included, then overage
        await _links.LinkAsync("cus_" + account.Value, account, CancellationToken.None);
        (await _usage.RecordAsync(account, UsageTestBed.AgentRuns, 1_250)).AssertSucceeded(); // the last count: 250 beyond

        await _purchases.HandleAsync(account, Session("cs_11", "add_on", "RUNS_100", "paid", "checkout.session.completed"), CancellationToken.None);
        var billedWith = await OverageBilledAsync(account, period);
        var shownWith = await OverageShownAsync(account);
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_11", "pi_cs_11", "cus_" + account.Value), CancellationToken.None);
        var billedWithout = await OverageBilledAsync(account, period);
        var shownWithout = await OverageShownAsync(account);

        Assert.Equal((150L, 150L), (billedWith, shownWith));
        Assert.Equal((250L, 250L), (billedWithout, shownWithout));
    }

    [Fact]
    public async Task A_consumption_add_on_whose_refund_failed_is_billed_with_again()
    {
        var (account, period) = _usage.Subscribe(TestCatalog.ProMonthly); // PRO: 1,000 runs included, then overage
        var customer = "cus_" + account.Value;
        await _links.LinkAsync(customer, account, CancellationToken.None);
        (await _usage.RecordAsync(account, UsageTestBed.AgentRuns, 1_250)).AssertSucceeded(); // the last count: 250 beyond
        await _purchases.HandleAsync(account, Session("cs_16", "add_on", "RUNS_100", "paid", "checkout.session.completed"), CancellationToken.None);
        _gateway.Charges["ch_16"] = new ChargeStanding(customer, 500, Disputed: false);
        await _reversals.HandleAsync(Charge("charge.refunded", "ch_16", "pi_cs_16", customer), CancellationToken.None);
        _gateway.Charges["ch_16"] = new ChargeStanding(customer, 0, Disputed: false); // the bank returned the refund

        var given = await _reversals.HandleAsync(RefundFailed("re_16", "ch_16", "pi_cs_16"), CancellationToken.None);

        Assert.True(given.IsApplied);
        Assert.Equal((150L, 150L), (await OverageBilledAsync(account, period), await OverageShownAsync(account)));
    }

    [Fact]
    public async Task A_consumption_add_on_whose_delivery_stopped_before_refreshing_the_period_is_billed_with_after_the_redelivery()
    {
        var (account, period) = _usage.Subscribe(TestCatalog.ProMonthly); // PRO: 1,000 runs included, then overage
        await _links.LinkAsync("cus_" + account.Value, account, CancellationToken.None);
        (await _usage.RecordAsync(account, UsageTestBed.AgentRuns, 1_250)).AssertSucceeded(); // the last count: 250 beyond
        var session = Session("cs_12", "add_on", "RUNS_100", "paid", "checkout.session.completed");

        await Assert.ThrowsAsync<SimulatedCrashException>(() => HandlerOver(new HookedAccountStore(_usage.Accounts) { AfterUpdate = () => throw new SimulatedCrashException() }).HandleAsync(account, session, CancellationToken.None));
        var billedBeforeRedelivery = await OverageBilledAsync(account, period); // the add-on is on the account, the period not refreshed
        var redelivered = await _purchases.HandleAsync(account, session, CancellationToken.None);

        Assert.Equal(250L, billedBeforeRedelivery);
        Assert.False(redelivered.IsApplied, redelivered.Note); // granted before: nothing is granted twice
        Assert.Equal(150L, await OverageBilledAsync(account, period));
        Assert.Single((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.AddOns);
    }

    [Fact]
    public async Task A_consumption_add_on_refunded_while_its_grant_was_refreshing_the_period_is_billed_without_it()
    {
        var (account, period) = _usage.Subscribe(TestCatalog.ProMonthly); // PRO: 1,000 runs included, then overage
        await _links.LinkAsync("cus_" + account.Value, account, CancellationToken.None);
        (await _usage.RecordAsync(account, UsageTestBed.AgentRuns, 1_250)).AssertSucceeded(); // the last count: 250 beyond
        var session = Session("cs_13", "add_on", "RUNS_100", "paid", "checkout.session.completed");

        // The refund is processed on another instance between the grant's account write and its refresh of the period.
        var purchases = HandlerOver(new HookedAccountStore(_usage.Accounts)
        {
            AfterUpdate = () => _reversals.HandleAsync(Charge("charge.refunded", "ch_13", "pi_cs_13", "cus_" + account.Value), CancellationToken.None),
        });
        await purchases.HandleAsync(account, session, CancellationToken.None);

        AssertAllRevoked((await _usage.Accounts.GetAsync(account, CancellationToken.None))!.AddOns, 1);
        Assert.Equal(250L, await OverageShownAsync(account));
        Assert.Equal(250L, await OverageBilledAsync(account, period)); // the refunded add-on covers nothing on the invoice either
    }

    /// <summary>The add-ons the purchase granted (<paramref name="count"/>: none for a credit pack), every one revoked.</summary>
    private static void AssertAllRevoked(IReadOnlyList<MeterAddOn> addOns, int count)
    {
        Assert.Equal(count, addOns.Count);
        Assert.All(addOns, a => Assert.NotNull(a.RevokedAt));
    }

    private async Task<long> OverageBilledAsync(AccountId account, Domain.Metering.UsagePeriod period) =>
        Domain.Invoicing.PeriodCharges.Price((await _usage.Ledger.GetAsync(account, period.Key, CancellationToken.None))!, _usage.Catalog)
            .Lines.Single(l => l.Meter == UsageTestBed.AgentRuns).OverageUnits;

    private async Task<long> OverageShownAsync(AccountId account) =>
        Assert.Single((await _usage.Report.GetAsync(account, "current", CancellationToken.None)).AssertSucceeded().Periods)
            .Meters.Single(m => m.Meter == UsageTestBed.AgentRuns).OverageUnits;

    [Fact]
    public async Task An_unknown_pack_or_add_on_is_a_400_listing_the_catalogs_codes()
    {
        var account = await AccountAsync();
        var purchases = NewPurchases();

        var pack = (await purchases.StartCreditPackAsync(account, "gold", null, null, CancellationToken.None)).AssertInvalid();
        var addOn = (await purchases.StartAddOnAsync(account, "PONIES", null, null, CancellationToken.None)).AssertInvalid();

        Assert.Equal($"'gold' is not a credit pack of the catalog; the catalog has: {string.Join(", ", _catalog.CreditPacks.Select(p => p.Code.Value).Order(StringComparer.Ordinal))}.", Assert.Single(pack.For("pack")));
        Assert.Equal($"'PONIES' is not an add-on of the catalog; the catalog has: {string.Join(", ", _catalog.AddOns.Select(a => a.Code.Value).Order(StringComparer.Ordinal))}.", Assert.Single(addOn.For("addOn")));
        Assert.Contains("RUNS_100", addOn.For("addOn")[0], StringComparison.Ordinal);
        Assert.Empty(_gateway.PaymentCheckouts);
    }

    [Fact]
    public async Task An_add_on_for_a_meter_the_plan_puts_no_limit_on_is_refused_before_anything_is_created()
    {
        var account = await AccountAsync(); // FREE: agent_runs limited, api_calls unlimited
        var purchases = NewPurchases();

        var refused = (await purchases.StartAddOnAsync(account, "CALLS_100", null, null, CancellationToken.None)).AssertRefused();

        Assert.Equal(Outcomes.RefusalReason.AddOnNotApplicable, refused.Reason);
        Assert.Equal("The Free plan puts no limit on api_calls, so CALLS_100 would raise nothing; nothing was charged.", refused.Detail);
        Assert.Empty(_gateway.PaymentCheckouts);
        Assert.Empty(_gateway.CustomerCalls);
        (await purchases.StartAddOnAsync(account, "RUNS_100", null, null, CancellationToken.None)).AssertSucceeded(); // a limited meter sells
        Assert.Single(_gateway.PaymentCheckouts);
    }

    [Fact]
    public async Task An_add_on_for_a_meter_billed_as_overage_is_sold_it_raises_the_included_units()
    {
        var (account, _) = _usage.Subscribe(TestCatalog.ProMonthly); // PRO: 1,000 runs included, then overage; no hard limit

        var started = (await NewPurchases().StartAddOnAsync(account, "RUNS_100", null, null, CancellationToken.None)).AssertSucceeded();

        Assert.Equal("RUNS_100", started.Code);
        Assert.Single(_gateway.PaymentCheckouts);
    }

    private Purchases NewPurchases() =>
        new(
            _catalog,
            _usage.Accounts,
            _usage.Entitlements,
            new StripeCustomerProvisioning(_usage.Accounts, _links, _gateway, NullLogger<StripeCustomerProvisioning>.Instance),
            _gateway,
            new RedirectUrlPolicy(Microsoft.Extensions.Options.Options.Create(new RedirectOptions())),
            Microsoft.Extensions.Options.Options.Create(new CheckoutOptions { SuccessUrl = "https://app.example.com/ok", CancelUrl = "https://app.example.com/no" }),
            _usage.Time,
            NullLogger<Purchases>.Instance);

    private async Task<AccountId> AccountAsync()
    {
        var id = AccountId.Parse("acct-" + Guid.NewGuid().ToString("N")[..8]);
        await _usage.Accounts.GetOrCreateAsync(id, CancellationToken.None);
        await _links.LinkAsync("cus_" + id.Value, id, CancellationToken.None);
        return id;
    }

    private Task<Outcomes.Outcome<AllocationState>> TakeProjectAsync(AccountId account, int i) =>
        _usage.Allocations.TakeAsync(new AllocationRequest(account.Value, "projects", $"p{i}"), CancellationToken.None);

    private PurchaseDelivery Handler(PurchaseCatalog catalog) =>
        new(new(catalog, _usage.Catalog, _ledger, _usage.Accounts, _usage.Entitlements, _reversal, _usage.IncludedUnits, _usage.Time, _purchaseLog), _usage.Accounts);

    /// <summary>A purchase handler whose account reads and writes (its own and its reversal's) go through <paramref name="accounts"/>.</summary>
    private PurchaseDelivery HandlerOver(IBillingAccountStore accounts) =>
        new(new(_catalog, _usage.Catalog, _ledger, accounts, _usage.Entitlements, new PurchaseReversal(_ledger, accounts, _usage.IncludedUnits, _usage.Time), _usage.IncludedUnits, _usage.Time, NullLogger<PurchaseCompletedHandler>.Instance), accounts);

    /// <summary>
    /// A purchase event delivered as <see cref="CheckoutSessionCompletedHandler"/> delivers it: to the handler, with the
    /// account just read (or opened) through the store the handler itself uses.
    /// </summary>
    private sealed class PurchaseDelivery(PurchaseCompletedHandler handler, IBillingAccountStore accounts)
    {
        public async Task<StripeEventHandlingResult> HandleAsync(AccountId accountId, StripeEventPayload session, CancellationToken cancellationToken) =>
            await handler.HandleAsync(await accounts.GetOrCreateAsync(accountId, cancellationToken), session, cancellationToken);
    }

    private StripeEventPayload Session(string sessionId, string purchase, string code, string paymentStatus, string type) => new()
    {
        Id = "evt_" + Guid.NewGuid().ToString("N")[..10],
        Type = type,
        Created = _usage.Time.GetUtcNow(),
        ObjectType = "checkout.session",
        ObjectId = sessionId,
        CheckoutMode = "payment",
        PaymentStatus = paymentStatus,
        PaymentIntentId = "pi_" + sessionId,
        Purchase = (purchase == PurchaseKinds.CreditPack ? _catalog.FindPack(code) is { } pack ? PurchaseTerms.Of(pack) : null
                    : _catalog.FindAddOn(code) is { } addOn ? PurchaseTerms.Of(addOn) : null)
                   ?? new PurchaseTerms { Kind = purchase, Code = code }, // as Purchases writes it at Checkout
    };

    private StripeEventPayload Charge(string type, string chargeId, string paymentIntentId, string? customerId = null) => new()
    {
        Id = "evt_" + Guid.NewGuid().ToString("N")[..10],
        Type = type,
        Created = _usage.Time.GetUtcNow(),
        ObjectType = "charge",
        ObjectId = chargeId,
        ChargeId = chargeId,
        CustomerId = customerId ?? _links.All.Keys.First(),
        PaymentIntentId = paymentIntentId,
    };

    /// <summary>
    /// Stripe changing, or another event processed, between the next charge reads: <paramref name="afterFirst"/> runs
    /// right after the first, <paramref name="afterSecond"/> right after the second (the in-memory ports complete
    /// synchronously, so an event handled there is handled at that point).
    /// </summary>
    private void AfterChargeReads(Action afterFirst, Action afterSecond)
    {
        var reads = 0;
        _gateway.AfterChargeRead = _ =>
        {
            switch (++reads)
            {
                case 1:
                    afterFirst();
                    break;
                case 2:
                    afterSecond();
                    break;
            }
        };
    }

    private async Task<long> BalanceAsync(AccountId account) =>
        (await _ledger.ReadAsync(account, CancellationToken.None)).Balances()[Usd];

    /// <summary>A <c>refund.failed</c> event as the reader maps it: refunds name their charge, not the customer.</summary>
    private StripeEventPayload RefundFailed(string refundId, string chargeId, string paymentIntentId) => new()
    {
        Id = "evt_" + Guid.NewGuid().ToString("N")[..10],
        Type = PaymentReversalHandler.RefundFailed,
        Created = _usage.Time.GetUtcNow(),
        ObjectType = "refund",
        ObjectId = refundId,
        ChargeId = chargeId,
        PaymentIntentId = paymentIntentId,
        ObjectStatus = "failed",
    };

    private StripeEventPayload Dispute(string chargeId, string paymentIntentId, string status) => new()
    {
        Id = "evt_" + Guid.NewGuid().ToString("N")[..10],
        Type = PaymentReversalHandler.DisputeClosed,
        Created = _usage.Time.GetUtcNow(),
        ObjectType = "dispute",
        ObjectId = "du_" + chargeId,
        ChargeId = chargeId,
        PaymentIntentId = paymentIntentId,
        ObjectStatus = status,
    };
}

/// <summary>The account store whose first GetOrCreate returns the account as it was before any early reversal was noted.</summary>
internal sealed class StaleFirstRead(IBillingAccountStore inner, bool failFirstGet = false) : IBillingAccountStore
{
    private int _reads;
    private int _gets;

    public Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken) =>
        failFirstGet && Interlocked.Increment(ref _gets) == 1
            ? throw new ServiceUnavailableException("The store refused the read (throttled).")
            : inner.GetAsync(accountId, cancellationToken);

    public async Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var account = await inner.GetOrCreateAsync(accountId, cancellationToken);
        return Interlocked.Increment(ref _reads) == 1 ? account with { EarlyReversals = [] } : account;
    }

    public Task<BillingAccount?> CreateAsync(AccountId accountId, CancellationToken cancellationToken) => inner.CreateAsync(accountId, cancellationToken);

    public Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken) =>
        inner.UpdateAsync(accountId, change, cancellationToken);
}
