using Billing.Application.Invoicing;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;

namespace Billing.Application.Tests.Invoicing;

/// <summary>
/// A run keeps what Stripe asks the customer to pay (<c>amount_due</c>) and what was paid (<c>amount_paid</c>) next to
/// what the invoice bills, as Stripe has them once the invoice is finalized: they differ when Stripe applies the
/// customer's balance, which carries an invoice below its minimum charge onto the next one.
/// </summary>
public sealed class InvoiceRunStripeAmountsTests
{
    [Fact]
    public void An_invoice_below_Stripes_minimum_is_kept_paid_with_nothing_due_and_still_bills_its_total()
    {
        var run = Run(2);

        var recorded = run.WithInvoice(new StripeUsageInvoice("in_1", "paid", "N-1", "https://invoice/1", Total: 2, AmountDue: 0, AmountPaid: 0));

        Assert.Equal(("paid", 2L, (long?)null), (recorded.Status, recorded.AmountBilled, recorded.StripeTotal));
        Assert.Equal(((long?)0, (long?)0), (recorded.StripeAmountDue, recorded.StripeAmountPaid));
    }

    [Fact]
    public void A_balance_carried_onto_the_invoice_is_due_and_paid_on_top_of_what_it_bills()
    {
        var run = Run(1_000);

        var open = run.WithInvoice(new StripeUsageInvoice("in_2", "open", "N-2", "https://invoice/2", Total: 1_000, AmountDue: 1_002, AmountPaid: 0));
        var paid = open.WithInvoice(new StripeUsageInvoice("in_2", "paid", "N-2", "https://invoice/2", Total: 1_000, AmountDue: 1_002, AmountPaid: 1_002));

        Assert.Equal((1_000L, (long?)1_002, (long?)0), (open.AmountBilled, open.StripeAmountDue, open.StripeAmountPaid));
        Assert.Equal((1_000L, (long?)1_002, (long?)1_002), (paid.AmountBilled, paid.StripeAmountDue, paid.StripeAmountPaid));
    }

    [Fact]
    public void A_draft_has_no_amount_due_yet()
    {
        var draft = Run(300).WithInvoice(new StripeUsageInvoice("in_3", "draft", null, null, Total: 300, AmountDue: 302, AmountPaid: 0));

        Assert.Equal(((long?)null, (long?)null), (draft.StripeAmountDue, draft.StripeAmountPaid));
    }

    private static InvoiceRun Run(long amount)
    {
        var period = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        return new InvoiceRun
        {
            AccountId = AccountId.Parse("acct-amounts"),
            PeriodKey = period.Key,
            PeriodStart = period.Start,
            PeriodEnd = period.End,
            Plan = PlanCode.Parse("PRO"),
            Currency = Currency.Parse("usd"),
            Lines = [new InvoiceRunLine(MeterName.Parse("agent_runs"), 5_000 + (amount / 2), 5_000, amount / 2, amount, "Agent runs")],
            Step = InvoiceRunStep.Finalized,
            StripeInvoiceId = "in_1",
            Status = "draft",
            CreatedAt = period.End,
            UpdatedAt = period.End,
        };
    }
}
