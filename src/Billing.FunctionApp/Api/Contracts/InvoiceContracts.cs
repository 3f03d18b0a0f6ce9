using Billing.Application.Invoicing;
using Billing.Domain.Invoicing;

namespace Billing.FunctionApp.Api.Contracts;

/// <summary>One page of the caller's usage invoices, newest period first; <see cref="NextCursor"/> asks for the next (null: the last).</summary>
public sealed record InvoicesResponse(IReadOnlyList<InvoiceResponse> Invoices, string? NextCursor)
{
    internal static InvoicesResponse From(InvoicePage page) => new([.. page.Invoices.Select(InvoiceResponse.From)], page.NextCursor);
}

/// <summary>A usage invoice: Stripe's number, status and page, the period it bills and its lines (amounts in minor units).</summary>
public sealed record InvoiceResponse
{
    public required string Id { get; init; }

    public string? Number { get; init; }

    /// <summary>Stripe's status: draft while being made, then open, paid, void or uncollectible; deleted for a draft deleted in Stripe.</summary>
    public required string Status { get; init; }

    /// <summary>
    /// What the invoice bills: the lines' total less <see cref="CreditApplied"/>, or Stripe's total when an operator changed
    /// the invoice in Stripe before finalizing it (then the lines are what the period computed, not the invoice's).
    /// </summary>
    public required long Amount { get; init; }

    /// <summary>Prepaid credit spent on the period (shown on the Stripe invoice as its own negative line); 0 when none.</summary>
    public long CreditApplied { get; init; }

    /// <summary>
    /// Stripe's <c>amount_due</c>: what Stripe asks the customer to pay for this invoice (not the upcoming invoice's
    /// <c>amountDue</c>, which estimates <see cref="Amount"/>). It is <see cref="Amount"/> plus
    /// the customer's Stripe balance carried from an earlier invoice, and 0 for an invoice below Stripe's minimum charge
    /// (Stripe marks it paid and carries its amount to the customer's next invoice). Null while a draft, or for an
    /// invoice recorded before it was kept.
    /// </summary>
    public long? StripeAmountDue { get; init; }

    /// <summary>Stripe's <c>amount_paid</c>: what the customer paid for this invoice; null as <see cref="StripeAmountDue"/> is.</summary>
    public long? StripeAmountPaid { get; init; }

    public required string Currency { get; init; }

    public required PeriodResponse Period { get; init; }

    public required string Plan { get; init; }

    /// <summary>The plans in order ("PRO then ENTERPRISE") when the plan changed during the period; null when <see cref="Plan"/> applied throughout.</summary>
    public string? Plans { get; init; }

    public string? HostedInvoiceUrl { get; init; }

    public required IReadOnlyList<InvoiceLineResponse> Lines { get; init; }

    internal static InvoiceResponse From(InvoiceRun run) => new()
    {
        Id = run.StripeInvoiceId!,
        Number = run.Number,
        Status = run.Status ?? "draft",
        Amount = run.AmountBilled,
        CreditApplied = run.CreditApplied,
        StripeAmountDue = run.StripeAmountDue,
        StripeAmountPaid = run.StripeAmountPaid,
        Currency = run.Currency.Code,
        Period = new PeriodResponse(run.PeriodStart, run.PeriodEnd),
        Plan = run.Plan.Value,
        Plans = run.Plans,
        HostedInvoiceUrl = run.HostedInvoiceUrl,
        Lines = [.. run.Lines.Select(l => new InvoiceLineResponse(l.Meter.Value, l.Description, l.Used, l.Included, l.OverageUnits, l.Amount))],
    };
}

/// <summary>One meter's overage on an invoice.</summary>
public sealed record InvoiceLineResponse(string Meter, string Description, long Used, long Included, long OverageUnits, long Amount);

/// <summary>What the current period has accrued so far beyond the plan, priced as its invoice will be.</summary>
public sealed record UpcomingInvoiceResponse
{
    public required PeriodResponse Period { get; init; }

    public required string Plan { get; init; }

    /// <summary>The plans in order ("PRO then ENTERPRISE") when the plan changed during the period; null when <see cref="Plan"/> applied throughout.</summary>
    public string? Plans { get; init; }

    /// <summary>The lines' total: what the period has accrued beyond the plan.</summary>
    public required long Amount { get; init; }

    /// <summary>Prepaid credit in <see cref="Currency"/>, spendable now and not expiring before the period's end, that would pay part of <see cref="Amount"/> (at most all of it); an estimate until the period closes.</summary>
    public required long CreditApplicable { get; init; }

    /// <summary>What the invoice would bill if the period closed now: <see cref="Amount"/> less <see cref="CreditApplicable"/>.</summary>
    public required long AmountDue { get; init; }

    public required string Currency { get; init; }

    public required IReadOnlyList<InvoiceLineResponse> Lines { get; init; }

    internal static UpcomingInvoiceResponse From(UpcomingInvoice upcoming)
    {
        var charges = upcoming.Charges;
        return new()
        {
            Period = new PeriodResponse(charges.Period.Start, charges.Period.End),
            Plan = charges.Plan.Value,
            Plans = charges.Plans,
            Amount = charges.Total.MinorUnits,
            CreditApplicable = upcoming.CreditApplicable,
            AmountDue = upcoming.AmountDue,
            Currency = charges.Currency.Code,
            Lines = [.. charges.Lines.Select(l => new InvoiceLineResponse(l.Meter.Value, charges.Describe(l), l.Used, l.Included, l.OverageUnits, l.Amount.MinorUnits))],
        };
    }
}
