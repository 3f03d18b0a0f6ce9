using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Pricing;

namespace Billing.Domain.Tests.Credits;

public sealed class CreditBookTests
{
    private static readonly Currency Usd = Currency.Parse("usd");
    private static readonly Currency Eur = Currency.Parse("eur");
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Spends_take_the_oldest_unexpired_grant_of_the_currency_first_and_never_more_than_there_is()
    {
        var book = Empty()
            .Post(CreditOperation.Grant("old", Usd, 300, null, "pack:A", "pi_old", null), T0)
            .Post(CreditOperation.Grant("eur", Eur, 1_000, null, "pack:E", "pi_eur", null), T0.AddMinutes(1))
            .Post(CreditOperation.Grant("new", Usd, 500, null, "pack:A", "pi_new", null), T0.AddMinutes(2));

        var decision = book.Apply(CreditOperation.Spend("run", Usd, 1_000, T0.AddMinutes(3), "run"), T0.AddMinutes(3));

        Assert.Equal(CreditDecisionKind.Entry, decision.Kind);
        Assert.Equal(-800, decision.Entry!.Amount);
        Assert.Equal([new CreditPart("old", -300), new CreditPart("new", -500)], decision.Entry.Parts);
        Assert.Equal(4, decision.Entry.Sequence);
        Assert.Equal(0, decision.Book!.Balances()[Usd]);
        Assert.Equal(1_000, decision.Book.Balances()[Eur]);
        Assert.Same(decision.Entry, Assert.Single(decision.Book.Pending));
    }

    [Fact]
    public void A_spend_names_only_the_grants_it_took_from_never_one_used_up_before_it()
    {
        var book = Empty()
            .Post(CreditOperation.Grant("used-up", Usd, 100, null, "pack:A", "pi_a", null), T0)
            .Post(CreditOperation.Grant("left", Usd, 100, null, "pack:A", "pi_b", null), T0.AddMinutes(1))
            .Post(CreditOperation.Spend("first", Usd, 100, T0.AddMinutes(2), "first"), T0.AddMinutes(2));

        var decision = book.Apply(CreditOperation.Spend("second", Usd, 50, T0.AddMinutes(3), "second"), T0.AddMinutes(3));

        Assert.Equal([new CreditPart("left", -50)], decision.Entry!.Parts);
    }

    [Fact]
    public void Spends_take_the_credit_that_expires_soonest_first_so_none_lapses_while_lasting_credit_is_spent()
    {
        var book = Empty()
            .Post(CreditOperation.Grant("lasting", Usd, 1_000, null, "pack:A", "pi_1", null), T0)
            .Post(CreditOperation.Grant("year", Usd, 1_000, T0.AddDays(365), "pack:A", "pi_2", null), T0.AddMinutes(1))
            .Post(CreditOperation.Grant("month", Usd, 1_000, T0.AddDays(30), "pack:A", "pi_3", null), T0.AddMinutes(2))
            .Post(CreditOperation.Grant("month-too", Usd, 1_000, T0.AddDays(30), "pack:A", "pi_4", null), T0.AddMinutes(3));

        var spend = book.Apply(CreditOperation.Spend("run", Usd, 2_500, T0.AddDays(1), "run"), T0.AddDays(1));
        var takenAway = book.Apply(CreditOperation.Adjust("fix", Usd, -1_500, "correction", "ops-1"), T0.AddDays(1));

        Assert.Equal([new CreditPart("month", -1_000), new CreditPart("month-too", -1_000), new CreditPart("year", -500)], spend.Entry!.Parts);
        Assert.Equal([new CreditPart("month", -1_000), new CreditPart("month-too", -500)], takenAway.Entry!.Parts);
    }

    [Fact]
    public void Grants_expiring_and_granted_together_are_spent_in_the_order_of_their_ids()
    {
        var book = Empty()
            .Post(CreditOperation.Grant("b", Usd, 100, T0.AddDays(30), "pack:A", "pi_b", null), T0)
            .Post(CreditOperation.Grant("a", Usd, 100, T0.AddDays(30), "pack:A", "pi_a", null), T0);

        var decision = book.Apply(CreditOperation.Spend("run", Usd, 150, T0.AddMinutes(1), "run"), T0.AddMinutes(1));

        Assert.Equal([new CreditPart("a", -100), new CreditPart("b", -50)], decision.Entry!.Parts);
    }

    [Fact]
    public void Expired_credit_is_not_spendable_and_its_expiry_is_due_dated_at_the_expiry()
    {
        var expiresAt = T0.AddHours(1);
        var book = Empty().Post(CreditOperation.Grant("g", Usd, 700, expiresAt, "pack:A", "pi_g", null), T0);

        Assert.Equal(700, book.Spendable(Usd, expiresAt.AddTicks(-1)));
        Assert.Equal(0, book.Spendable(Usd, expiresAt));
        Assert.Null(book.DueExpiry(expiresAt.AddTicks(-1), []));
        Assert.Equal(CreditDecisionKind.Nothing, book.Apply(CreditOperation.Spend("late", Usd, 100, expiresAt, "late"), expiresAt).Kind);
        var expiry = book.Apply(book.DueExpiry(expiresAt.AddDays(3), [])!, expiresAt.AddDays(3));
        Assert.Equal((CreditEntryKind.Expiry, -700L, expiresAt), (expiry.Entry!.Kind, expiry.Entry.Amount, expiry.Entry.At));
        Assert.Null(expiry.Book!.Settled().DueExpiry(expiresAt.AddDays(3), []));
    }

    [Fact]
    public void A_spend_owed_at_a_close_takes_credit_held_then_that_had_not_expired_by_it_and_credit_granted_since_that_has_not_expired_yet()
    {
        var close = T0.AddDays(1);
        var now = close.AddHours(2); // the invoicing job, the day after
        var book = Empty()
            .Post(CreditOperation.Grant("at-close", Usd, 300, close, "pack:A", "pi_1", null), T0) // expired as the period closed
            .Post(CreditOperation.Grant("after-close", Usd, 400, close.AddTicks(1), "pack:A", "pi_2", null), T0.AddMinutes(1)) // valid at the close, expired since
            .Post(CreditOperation.Grant("bought-since", Usd, 500, close.AddHours(1), "pack:A", "pi_3", null), close.AddMinutes(10)) // bought after the close, expired since
            .Post(CreditOperation.Grant("bought-since-valid", Usd, 600, now.AddTicks(1), "pack:A", "pi_4", null), close.AddMinutes(20));

        var spend = book.Apply(CreditOperation.Spend("run", Usd, 10_000, close, "run"), now);

        Assert.Equal([new CreditPart("after-close", -400), new CreditPart("bought-since-valid", -600)], spend.Entry!.Parts);
        Assert.Equal(now, spend.Entry.At);
        Assert.Equal(CreditDecisionKind.Nothing, book.Apply(CreditOperation.Spend("owed-now", Usd, 10_000, now.AddTicks(1), "now"), now.AddTicks(1)).Kind); // everything has expired by then
    }

    [Fact]
    public void An_expiry_of_a_grant_that_has_not_expired_or_never_expires_takes_nothing()
    {
        var expiresAt = T0.AddHours(1);
        var book = Empty()
            .Post(CreditOperation.Grant("g", Usd, 700, expiresAt, "pack:A", "pi_g", null), T0)
            .Post(CreditOperation.Grant("forever", Usd, 300, null, "pack:A", "pi_f", null), T0);

        var early = book.Apply(new ExpireGrant("g"), expiresAt.AddTicks(-1));
        var never = book.Apply(new ExpireGrant("forever"), expiresAt.AddDays(365));

        Assert.Equal((CreditDecisionKind.Nothing, (CreditEntry?)null), (early.Kind, early.Entry));
        Assert.Equal((CreditDecisionKind.Nothing, (CreditEntry?)null), (never.Kind, never.Entry));
        Assert.Equal(1_000, book.Spendable(Usd, expiresAt.AddTicks(-1)));
    }

    [Fact]
    public void An_expired_grant_spent_to_the_last_cent_has_nothing_to_expire()
    {
        var expiresAt = T0.AddHours(1);
        var book = Empty()
            .Post(CreditOperation.Grant("g", Usd, 700, expiresAt, "pack:A", "pi_g", null), T0)
            .Post(CreditOperation.Spend("all", Usd, 700, T0.AddMinutes(1), "run"), T0.AddMinutes(1));

        var expiry = book.Apply(new ExpireGrant("g"), expiresAt.AddDays(1));

        Assert.Equal((CreditDecisionKind.Nothing, (CreditEntry?)null), (expiry.Kind, expiry.Entry));
    }

    [Fact]
    public void An_expired_grant_is_not_due_for_expiry_while_a_pending_spend_may_still_take_it()
    {
        var close = T0.AddDays(1);
        var expiresAt = close.AddHours(1);
        var now = close.AddHours(2);
        var book = Empty()
            .Post(CreditOperation.Grant("g", Usd, 700, expiresAt, "pack:A", "pi_g", null), T0)
            .Post(CreditOperation.Grant("eur", Eur, 900, expiresAt.AddMinutes(1), "pack:E", "pi_eur", null), T0.AddMinutes(1));

        Assert.Equal(["g", "eur"], book.Expired(now).Select(g => g.GrantId));
        Assert.Null(book.DueExpiry(now, [close])); // the invoice of the period that closed while both were valid (whatever its currency)
        Assert.Equal("eur", book.DueExpiry(now, [T0])?.GrantId); // closed as "g" was granted, before "eur" was
        Assert.Equal("g", book.DueExpiry(now, [])?.GrantId);
        Assert.Equal("g", book.DueExpiry(now, [expiresAt])?.GrantId); // closed as "g" expired: it cannot pay that invoice
        Assert.Equal("g", book.DueExpiry(now, [T0.AddTicks(-1)])?.GrantId); // closed before they were granted: judged now
    }

    [Fact]
    public void Spendable_balances_leave_out_expired_credit_still_on_the_book()
    {
        var expiresAt = T0.AddHours(1);
        var book = Empty()
            .Post(CreditOperation.Grant("short", Usd, 700, expiresAt, "pack:A", "pi_short", null), T0)
            .Post(CreditOperation.Grant("eur", Eur, 200, expiresAt, "pack:E", "pi_eur", null), T0)
            .Post(CreditOperation.Grant("long", Usd, 300, null, "pack:A", "pi_long", null), T0);

        Assert.Equal(new Dictionary<Currency, long> { [Usd] = 1_000, [Eur] = 200 }, book.Balances());
        Assert.Equal(new Dictionary<Currency, long> { [Usd] = 300, [Eur] = 0 }, book.SpendableBalances(expiresAt));
    }

    [Fact]
    public void A_reversal_takes_only_what_is_left_of_the_paid_grant()
    {
        var book = Empty()
            .Post(CreditOperation.Grant("g", Usd, 1_000, null, "pack:A", "pi_g", null), T0)
            .Post(CreditOperation.Spend("run", Usd, 400, T0.AddMinutes(1), "run"), T0.AddMinutes(1));

        var reversal = book.Apply(CreditOperation.Reverse("pi_g", "ch_1"), T0.AddMinutes(2));
        var unknown = book.Apply(CreditOperation.Reverse("pi_other", "ch_2"), T0.AddMinutes(2));

        Assert.Equal(("reversal:pi_g", -600L), (reversal.Entry!.Key, reversal.Entry.Amount));
        Assert.Equal(CreditDecisionKind.Nothing, unknown.Kind);
        Assert.Equal(CreditDecisionKind.Nothing, reversal.Book!.Settled().Apply(CreditOperation.Reverse("pi_g", "ch_1"), T0.AddMinutes(3)).Kind);
    }

    [Fact]
    public void A_reinstatement_gives_back_what_the_reversal_took_once_and_numbers_the_next_reversal()
    {
        var reversed = Empty()
            .Post(CreditOperation.Grant("g", Usd, 1_000, null, "pack:A", "pi_g", null), T0)
            .Post(CreditOperation.Spend("run", Usd, 400, T0.AddMinutes(1), "run"), T0.AddMinutes(1))
            .Post(CreditOperation.Reverse("pi_g", "ch_1"), T0.AddMinutes(2));

        var reinstated = reversed.Apply(CreditOperation.Reinstate("pi_g", "re_1", 0), T0.AddDays(5));
        var stale = reversed.Apply(CreditOperation.Reinstate("pi_g", "re_1", 1), T0.AddDays(5));

        Assert.Equal((CreditEntryKind.Reinstatement, "reinstatement:pi_g", 600L), (reinstated.Entry!.Kind, reinstated.Entry.Key, reinstated.Entry.Amount));
        Assert.Null(reinstated.Entry.Reason); // all of it given back: nothing to explain to the customer
        Assert.Equal(CreditDecisionKind.Nothing, stale.Kind);
        var book = reinstated.Book!.Settled();
        Assert.Equal(600, book.Spendable(Usd, T0.AddDays(5)));
        Assert.Equal(CreditDecisionKind.Nothing, book.Apply(CreditOperation.Reinstate("pi_g", "re_1", 1), T0.AddDays(5)).Kind); // not reversed now
        Assert.Equal(CreditDecisionKind.Nothing, book.Apply(CreditOperation.Reverse("pi_g", "ch_1"), T0.AddDays(6)).Kind); // the first reversal's number
        var again = book.Apply(CreditOperation.Reverse("pi_g", "ch_1", 1), T0.AddDays(6));
        Assert.Equal(("reversal:pi_g:1", -600L), (again.Entry!.Key, again.Entry.Amount));
        Assert.Equal("reinstatement:pi_g:1", again.Book!.Settled().Apply(CreditOperation.Reinstate("pi_g", "re_2", 1), T0.AddDays(7)).Entry!.Key);
    }

    [Fact]
    public void A_grant_that_expired_while_it_was_taken_back_is_reinstated_for_0()
    {
        var expiresAt = T0.AddDays(30);
        var reversed = Empty()
            .Post(CreditOperation.Grant("g", Usd, 1_000, expiresAt, "pack:A", "pi_g", null), T0)
            .Post(CreditOperation.Reverse("pi_g", "ch_1"), T0.AddDays(1));

        var reinstated = reversed.Apply(CreditOperation.Reinstate("pi_g", "re_1", 0), expiresAt);

        Assert.Equal(0, reinstated.Entry!.Amount);
        Assert.NotNull(reinstated.Entry.Reason);
        var grant = Assert.Single(reinstated.Book!.Grants);
        Assert.Equal((0L, (DateTimeOffset?)null), (grant.Remaining, grant.ReversedAt));
        Assert.Null(reinstated.Book.Settled().DueExpiry(expiresAt.AddDays(1), []));
    }

    [Fact]
    public void A_grant_taken_back_at_once_is_one_decision_with_its_reversal_and_is_never_spendable()
    {
        var book = Empty().Post(CreditOperation.Grant("other", Usd, 200, null, "pack:A", "pi_other", "cs_other"), T0);

        var decision = book.Apply(CreditOperation.Grant("cs:cs_1", Usd, 1_000, null, "pack:A", "pi_1", "cs_1", takenBack: true), T0.AddMinutes(1));

        Assert.Equal(CreditDecisionKind.Entry, decision.Kind);
        Assert.Same(decision.Entry, decision.Book!.Pending[0]);
        Assert.Equal(
            [("grant:cs:cs_1", 2L, CreditEntryKind.Grant, 1_000L, "cs_1"), ("reversal:pi_1", 3L, CreditEntryKind.Reversal, -1_000L, "cs_1")],
            decision.Book.Pending.Select(e => (e.Key, e.Sequence, e.Kind, e.Amount, e.Reference!)));
        Assert.Equal([new CreditPart("cs:cs_1", -1_000)], decision.Book.Pending[1].Parts);
        Assert.Equal(3, decision.Book.Version);
        Assert.Equal(200, decision.Book.Spendable(Usd, T0.AddMinutes(1)));
        var grant = decision.Book.Grants.Single(g => g.GrantId == "cs:cs_1");
        Assert.Equal((0L, T0.AddMinutes(1), 1_000L, 0), (grant.Remaining, grant.ReversedAt, grant.ReversedAmount, grant.Reinstatements));

        // As any reversed grant: taken back once, reinstated in full when its refund fails, taken back again by a later refund.
        var settled = decision.Book.Settled();
        Assert.Equal(CreditDecisionKind.Nothing, settled.Apply(CreditOperation.Reverse("pi_1", "ch_1"), T0.AddMinutes(2)).Kind);
        var reinstated = settled.Apply(CreditOperation.Reinstate("pi_1", "re_1", 0), T0.AddDays(2));
        Assert.Equal(("reinstatement:pi_1", 1_000L), (reinstated.Entry!.Key, reinstated.Entry.Amount));
        var again = reinstated.Book!.Settled().Apply(CreditOperation.Reverse("pi_1", "ch_1", 1), T0.AddDays(3));
        Assert.Equal(("reversal:pi_1:1", -1_000L), (again.Entry!.Key, again.Entry.Amount));
    }

    [Fact]
    public void A_grant_taken_back_at_once_needs_its_payment_and_is_made_once()
    {
        var book = Empty().Post(CreditOperation.Grant("cs:cs_1", Usd, 1_000, null, "pack:A", "pi_1", "cs_1", takenBack: true), T0);

        Assert.Throws<ArgumentException>(() => CreditOperation.Grant("cs:cs_2", Usd, 1_000, null, "pack:A", null, "cs_2", takenBack: true));
        Assert.Equal(CreditDecisionKind.Nothing, book.Apply(CreditOperation.Grant("cs:cs_1", Usd, 1_000, null, "pack:A", "pi_1", "cs_1", takenBack: true), T0).Kind);
        Assert.Equal(CreditDecisionKind.Nothing, book.Apply(CreditOperation.Grant("cs:cs_1", Usd, 1_000, null, "pack:A", "pi_1", "cs_1"), T0).Kind);
        Assert.Equal(0, book.Balances()[Usd]);
    }

    [Fact]
    public void A_reversal_of_a_grant_spent_to_the_last_cent_is_still_written_for_0_and_marks_the_grant()
    {
        var book = Empty()
            .Post(CreditOperation.Grant("g", Usd, 500, null, "pack:A", "pi_g", null), T0)
            .Post(CreditOperation.Spend("run", Usd, 500, T0.AddMinutes(1), "run"), T0.AddMinutes(1));

        var reversal = book.Apply(CreditOperation.Reverse("pi_g", "ch_1"), T0.AddMinutes(2));

        Assert.Equal((CreditEntryKind.Reversal, 0L), (reversal.Entry!.Kind, reversal.Entry.Amount));
        Assert.Equal(T0.AddMinutes(2), Assert.Single(reversal.Book!.Grants).ReversedAt);
    }

    [Fact]
    public void A_spend_is_given_back_to_the_grants_it_took_from()
    {
        var book = Empty()
            .Post(CreditOperation.Grant("a", Usd, 300, null, "pack:A", "pi_a", null), T0)
            .Post(CreditOperation.Grant("b", Usd, 500, null, "pack:A", "pi_b", null), T0.AddMinutes(1));
        var spend = book.Apply(CreditOperation.Spend("run", Usd, 600, T0.AddMinutes(2), "run"), T0.AddMinutes(2));
        book = spend.Book!.Settled().Post(CreditOperation.Spend("later", Usd, 100, T0.AddMinutes(3), "later"), T0.AddMinutes(3));

        var restore = book.Apply(CreditOperation.Restore(spend.Entry!, "run"), T0.AddMinutes(4));

        Assert.Equal(("restore:spend:run", CreditEntryKind.Restore, 600L, (string?)null), (restore.Entry!.Key, restore.Entry.Kind, restore.Entry.Amount, restore.Entry.Reason));
        Assert.Equal([new CreditPart("a", 300), new CreditPart("b", 300)], restore.Entry.Parts);
        Assert.Equal([300L, 400L], restore.Book!.Grants.Select(g => g.Remaining));
        Assert.Equal(700, restore.Book.Spendable(Usd, T0.AddMinutes(4)));
        Assert.Throws<ArgumentException>(() => CreditOperation.Restore(restore.Entry, "run")); // only a spend is given back
    }

    [Fact]
    public void What_a_spend_took_from_a_grant_expired_or_taken_back_since_is_not_given_back_and_a_failed_refund_returns_the_taken_back_part()
    {
        var expiresAt = T0.AddHours(1);
        var book = Empty()
            .Post(CreditOperation.Grant("short", Usd, 200, expiresAt, "pack:S", "pi_short", null), T0)
            .Post(CreditOperation.Grant("refunded", Usd, 300, null, "pack:A", "pi_refunded", null), T0.AddMinutes(1))
            .Post(CreditOperation.Grant("kept", Usd, 400, null, "pack:A", "pi_kept", null), T0.AddMinutes(2));
        var spend = book.Apply(CreditOperation.Spend("run", Usd, 900, T0.AddMinutes(3), "run"), T0.AddMinutes(3));
        book = spend.Book!.Settled().Post(CreditOperation.Reverse("pi_refunded", "ch_1"), T0.AddMinutes(4)); // nothing left: a 0 reversal
        var after = expiresAt.AddMinutes(1); // "short" expired meanwhile (spent to 0, so no expiry entry was due)

        var restore = book.Apply(CreditOperation.Restore(spend.Entry!, "run"), after);

        Assert.Equal([new CreditPart("refunded", 0), new CreditPart("kept", 400)], restore.Entry!.Parts);
        Assert.Equal((400L, "Part of the spend came from credit that has expired or was refunded since; that part is not given back (refunded credit comes back if the refund fails)."), (restore.Entry.Amount, restore.Entry.Reason));
        Assert.Equal(400, restore.Book!.Spendable(Usd, after));
        Assert.Equal([0L, 0L, 400L], restore.Book.Grants.Select(g => g.Remaining));

        // The refund fails: the refunded grant gets back what the voided invoice's spend took from it, as if the invoice
        // had been voided before the refund (the restore's key is spent, so the ledger never makes it again).
        var reinstated = restore.Book.Settled().Apply(CreditOperation.Reinstate("pi_refunded", "re_1", 0), after.AddMinutes(1));
        Assert.Equal(300, reinstated.Entry!.Amount);
        Assert.Equal([0L, 300L, 400L], reinstated.Book!.Grants.Select(g => g.Remaining));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // given back while its payment is taken back: held by the reversal, returned by the refund's failure
    public void A_spend_given_back_twice_never_gives_a_grant_more_than_it_granted(bool refunded)
    {
        // The ledger writes a restore once (its key); should the book be asked twice, a grant still holds at most its amount.
        var book = Empty().Post(CreditOperation.Grant("g", Usd, 100, null, "pack:A", "pi_g", null), T0);
        var spend = book.Apply(CreditOperation.Spend("run", Usd, 60, T0.AddMinutes(1), "run"), T0.AddMinutes(1));
        book = spend.Book!.Settled().Post(CreditOperation.Spend("later", Usd, 30, T0.AddMinutes(2), "later"), T0.AddMinutes(2));
        if (refunded)
        {
            book = book.Post(CreditOperation.Reverse("pi_g", "ch_1"), T0.AddMinutes(3));
        }

        var once = book.Post(CreditOperation.Restore(spend.Entry!, "run"), T0.AddMinutes(4));
        var twice = once.Apply(CreditOperation.Restore(spend.Entry!, "run"), T0.AddMinutes(5));
        var after = refunded ? twice.Book!.Settled().Post(CreditOperation.Reinstate("pi_g", "re_1", 0), T0.AddMinutes(6)) : twice.Book!.Settled();

        Assert.Equal(refunded ? 0 : 30, twice.Entry!.Amount); // only the 30 spent since, not the 60 again
        Assert.Equal(100, Assert.Single(after.Grants).Remaining);
        Assert.Equal(100, after.Spendable(Usd, T0.AddMinutes(7)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_spend_given_back_in_full_is_not_given_back_again(bool refunded)
    {
        var book = Empty().Post(CreditOperation.Grant("g", Usd, 100, null, "pack:A", "pi_g", null), T0);
        var spend = book.Apply(CreditOperation.Spend("run", Usd, 60, T0.AddMinutes(1), "run"), T0.AddMinutes(1));
        book = spend.Book!.Settled();
        if (refunded)
        {
            book = book.Post(CreditOperation.Reverse("pi_g", "ch_1"), T0.AddMinutes(2));
        }

        var once = book.Post(CreditOperation.Restore(spend.Entry!, "run"), T0.AddMinutes(3));
        var twice = once.Apply(CreditOperation.Restore(spend.Entry!, "run"), T0.AddMinutes(4));

        Assert.Equal((CreditDecisionKind.Nothing, (CreditEntry?)null), (twice.Kind, twice.Entry));
    }

    [Fact]
    public void Adjustments_grant_without_expiry_or_take_no_more_than_is_spendable()
    {
        var book = Empty().Post(CreditOperation.Adjust("k1", Usd, 250, "goodwill", "ops-1"), T0);

        var tooMuch = book.Apply(CreditOperation.Adjust("k2", Usd, -251, "oops", "ops-1"), T0.AddMinutes(1));
        var taken = book.Apply(CreditOperation.Adjust("k3", Usd, -250, "correction", "ops-2"), T0.AddMinutes(1));

        Assert.Equal(250, book.Balances()[Usd]);
        Assert.Null(Assert.Single(book.Grants).ExpiresAt);
        Assert.StartsWith("adjustment:", book.Grants[0].GrantId, StringComparison.Ordinal);
        Assert.DoesNotContain("k1", book.Grants[0].GrantId.Replace("adjustment:", "", StringComparison.Ordinal), StringComparison.Ordinal); // the operator's key is not shown to the customer
        Assert.Equal(book.Grants[0].GrantId, Empty().Post(CreditOperation.Adjust("k1", Usd, 250, "goodwill", "ops-1"), T0).Grants[0].GrantId); // the same key, the same grant
        Assert.Equal(CreditDecisionKind.InsufficientCredit, tooMuch.Kind);
        Assert.Equal((CreditEntryKind.Adjustment, -250L, "correction", "ops-2"), (taken.Entry!.Kind, taken.Entry.Amount, taken.Entry.Reason, taken.Entry.Operator));
    }

    [Fact]
    public void No_grant_or_adjustment_may_pass_the_largest_amount_so_balances_stay_exact()
    {
        var book = Empty().Post(CreditOperation.Adjust("max", Usd, CreditOperation.MaxAmount, "largest", "ops-1"), T0);

        Assert.Throws<ArgumentOutOfRangeException>(() => book.Apply(CreditOperation.Adjust("over", Usd, CreditOperation.MaxAmount + 1, "too much", "ops-1"), T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Apply(CreditOperation.Adjust("min", Usd, long.MinValue, "too little", "ops-1"), T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Apply(CreditOperation.Adjust("under", Usd, -(CreditOperation.MaxAmount + 1), "too much taken", "ops-1"), T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Apply(CreditOperation.Grant("huge", Usd, long.MaxValue, null, "pack:A", "pi_huge", null), T0));
        var spent = book.Apply(CreditOperation.Spend("all", Usd, long.MaxValue, T0.AddMinutes(1), "run"), T0.AddMinutes(1)); // a spend asks "up to": any amount
        Assert.Equal(-CreditOperation.MaxAmount, spent.Entry!.Amount);
        Assert.Equal(CreditOperation.MaxAmount, book.Balances()[Usd]);
    }

    [Fact]
    public void Nothing_is_applied_while_an_entry_is_pending()
    {
        var pending = Empty().Apply(CreditOperation.Grant("g", Usd, 1, null, "pack:A", null, null), T0).Book!;

        Assert.Throws<InvalidOperationException>(() => pending.Apply(CreditOperation.Spend("x", Usd, 1, T0, "x"), T0));
    }

    private static CreditBook Empty() => CreditBook.Empty(AccountId.Parse("user-1"));
}

internal static class CreditBookTestExtensions
{
    /// <summary>Applies and settles (the entry written out), as the ledger would.</summary>
    public static CreditBook Post(this CreditBook book, CreditOperation operation, DateTimeOffset now)
    {
        var decision = book.Apply(operation, now);
        Assert.Equal(CreditDecisionKind.Entry, decision.Kind);
        return decision.Book!.Settled();
    }
}
