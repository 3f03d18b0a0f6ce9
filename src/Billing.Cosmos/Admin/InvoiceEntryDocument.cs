using Billing.Application.Invoicing;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Invoicing;

namespace Billing.Cosmos.Admin;

/// <summary>
/// An invoice's entry in the operators' invoice index (<c>type</c> = invoiceEntry), id
/// <c>invoice-entry:{accountId}:{periodKey}</c> in the index partition <c>/admin/invoices</c>: a copy of the invoice
/// run's invoice fields, written by the run store whenever it saves a run that has a Stripe invoice.
/// </summary>
internal sealed record InvoiceEntryDocument : StoredDocument
{
    /// <summary>The partition key: the index partition, not an account.</summary>
    public required string AccountId { get; init; }

    public required string BillingAccountId { get; init; }

    public required string PeriodKey { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    /// <summary>The month the period started in, <c>yyyy-MM</c> (the <c>period</c> filter).</summary>
    public required string Month { get; init; }

    /// <summary>The keyset order, newest first: <c>{periodStart}|{accountId}|{periodKey}</c> (fixed-width UTC, so string order is time order).</summary>
    public required string SortKey { get; init; }

    public required string Plan { get; init; }

    /// <summary>The plans in order when the plan changed during the period (the run's); absent otherwise.</summary>
    public string? Plans { get; init; }

    public required string Currency { get; init; }

    public required IReadOnlyList<InvoiceRunLineDocument> Lines { get; init; }

    public required long Total { get; init; }

    /// <summary>Prepaid credit the run applied (minor units): the invoice bills <see cref="Total"/> less this. Absent in entries written before credits.</summary>
    public long? CreditApplied { get; init; }

    /// <summary>What Stripe's invoice bills when an operator changed it in Stripe (the run's <c>stripeTotal</c>); absent otherwise.</summary>
    public long? StripeTotal { get; init; }

    public required InvoiceRunStep Step { get; init; }

    /// <summary>Stripe's invoice status as last saved; <c>draft</c> until finalized.</summary>
    public required string Status { get; init; }

    public required string StripeInvoiceId { get; init; }

    public string? StripeCustomerId { get; init; }

    public string? Number { get; init; }

    public string? HostedInvoiceUrl { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The run's <c>updatedAt</c>, which orders entries when either lacks a <see cref="Revision"/>.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The run's <c>revision</c> (its save counter): an older save's entry never replaces a later one's. Absent in entries of runs stored before it was kept.</summary>
    public long? Revision { get; init; }
}
