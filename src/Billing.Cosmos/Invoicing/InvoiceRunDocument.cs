using Billing.Application.Invoicing;
using Billing.Cosmos.Documents;
using Billing.Domain.Metering;

namespace Billing.Cosmos.Invoicing;

/// <summary>
/// The invoicing run of one account's closed usage period (<c>type</c> = invoiceRun), id
/// <c>invoice-run:{accountId}:{periodKey}</c> in the account's partition: the charges computed once, the step reached
/// and what exists in Stripe. Its create is the claim of the period (409: another job has it); every later write is
/// an ETag-guarded replace.
/// </summary>
internal sealed record InvoiceRunDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public required string PeriodKey { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    public required string Plan { get; init; }

    /// <summary>"PRO then ENTERPRISE" when the plan changed during the period; absent when <see cref="Plan"/> applied throughout.</summary>
    public string? Plans { get; init; }

    /// <summary>Lower-case ISO code, as Stripe writes it.</summary>
    public required string Currency { get; init; }

    public required IReadOnlyList<InvoiceRunLineDocument> Lines { get; init; }

    /// <summary>The sum of the lines' amounts in minor units (written for readers of the raw document; recomputed on read).</summary>
    public long Total { get; init; }

    /// <summary>The last step saved: <c>computed</c>, <c>draftCreated</c>, <c>itemsCreated</c>, <c>finalized</c>, <c>recorded</c> or <c>nothingToBill</c>.</summary>
    public required InvoiceRunStep Step { get; init; }

    public string? StripeCustomerId { get; init; }

    public string? StripeSubscriptionId { get; init; }

    public string? StripeInvoiceId { get; init; }

    /// <summary>How a paused collection had the invoice treated (keepAsDraft, markUncollectible, void); absent when collected as usual.</summary>
    public CollectionPauseBehavior? CollectionPause { get; init; }

    public string? Number { get; init; }

    public string? HostedInvoiceUrl { get; init; }

    /// <summary>Prepaid credit spent on the period (absent when none).</summary>
    public long? CreditApplied { get; init; }

    /// <summary>The negative invoice item showing the credit.</summary>
    public string? CreditItemId { get; init; }

    /// <summary>Stripe's invoice status as last seen (draft, open, paid, void, uncollectible), or deleted (a draft deleted in Stripe).</summary>
    public string? Status { get; init; }

    /// <summary>
    /// Stripe's total of the finalized invoice (minor units) when it is not <c>total - creditApplied</c>: an operator changed
    /// the invoice in Stripe and finalized it, and it bills this. Absent otherwise (an optional field: no new schema version).
    /// </summary>
    public long? StripeTotal { get; init; }

    /// <summary>
    /// Stripe's <c>amount_due</c> of the finalized invoice as last read (what Stripe asks the customer to pay: the total
    /// plus the customer's Stripe balance, 0 below Stripe's minimum charge). Absent while a draft and on runs recorded
    /// before it was kept (an optional field: no new schema version).
    /// </summary>
    public long? StripeAmountDue { get; init; }

    /// <summary>Stripe's <c>amount_paid</c> of the finalized invoice as last read; absent as <see cref="StripeAmountDue"/> is.</summary>
    public long? StripeAmountPaid { get; init; }

    public int Attempts { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// The save counter: 1 when created, the stored value + 1 on every replace (so the run's saves, which the ETag
    /// orders, are numbered whatever the savers' clocks said). Absent on runs stored before it was kept: their next
    /// replace writes 1.
    /// </summary>
    public long? Revision { get; init; }
}

/// <summary>One line of a run: a meter's overage in the period and its Stripe invoice item once created.</summary>
internal sealed record InvoiceRunLineDocument : DocumentPart
{
    public required string Meter { get; init; }

    public required long Used { get; init; }

    public required long Included { get; init; }

    public required long OverageUnits { get; init; }

    /// <summary>Minor units of the run's currency.</summary>
    public required long Amount { get; init; }

    public required string Description { get; init; }

    public string? StripeItemId { get; init; }

    /// <summary>The stored form of <paramref name="line"/>, keeping what a newer version wrote in the stored line of the same meter.</summary>
    public static InvoiceRunLineDocument From(InvoiceRunLine line, IEnumerable<InvoiceRunLineDocument>? stored) => new()
    {
        Meter = line.Meter.Value,
        Used = line.Used,
        Included = line.Included,
        OverageUnits = line.OverageUnits,
        Amount = line.Amount,
        Description = line.Description,
        StripeItemId = line.StripeItemId,
        ExtensionData = KeptFrom(stored, s => s.Meter == line.Meter.Value),
    };

    public InvoiceRunLine ToDomain() => new(MeterName.Parse(Meter), Used, Included, OverageUnits, Amount, Description) { StripeItemId = StripeItemId };
}
