using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Invoicing;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;

namespace Billing.Application.Invoicing;

/// <summary>
/// Where an invoicing run stands. Each step is persisted before the next begins, so a run that stops anywhere resumes
/// at the step after the last one saved: <see cref="Computed"/> (charges fixed) -> <see cref="CreditApplied"/>
/// (prepaid credit spent, keyed by the run) -> <see cref="DraftCreated"/> (the Stripe invoice exists as a draft) ->
/// <see cref="ItemsCreated"/> (one item per charged meter on it, and one negative item for the credit) ->
/// <see cref="Finalized"/> -> <see cref="Recorded"/>. <see cref="NothingToBill"/> ends a period without charges,
/// <see cref="CoveredByCredit"/> one whose charges credit paid in full (no Stripe invoice).
/// </summary>
public enum InvoiceRunStep
{
    Computed = 1,
    DraftCreated = 2,
    ItemsCreated = 3,
    Finalized = 4,
    Recorded = 5,
    NothingToBill = 6,
    CreditApplied = 7,
    CoveredByCredit = 8,
}

/// <summary>One invoice line: a meter's overage in the period and its Stripe invoice item once created.</summary>
public sealed record InvoiceRunLine(MeterName Meter, long Used, long Included, long OverageUnits, long Amount, string Description)
{
    public string? StripeItemId { get; init; }
}

/// <summary>
/// The persisted state of invoicing one account's closed usage period (one per account and period): the charges
/// computed once, and what exists in Stripe so far. It is also the record of the invoice the caller lists.
/// </summary>
public sealed record InvoiceRun
{
    public required AccountId AccountId { get; init; }

    public required UsagePeriodKey PeriodKey { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    public required PlanCode Plan { get; init; }

    /// <summary>The plans in order when the plan changed during the period (<see cref="PeriodCharges.Plans"/>); null when <see cref="Plan"/> applied throughout.</summary>
    public string? Plans { get; init; }

    /// <summary>The Stripe invoice's description: "Usage beyond the PRO plan", or "Usage beyond the PRO then ENTERPRISE plans".</summary>
    public string InvoiceDescription => Plans is { } plans ? $"Usage beyond the {plans} plans" : $"Usage beyond the {Plan} plan";

    public required Currency Currency { get; init; }

    public required IReadOnlyList<InvoiceRunLine> Lines { get; init; }

    public required InvoiceRunStep Step { get; init; }

    public string? StripeCustomerId { get; init; }

    public string? StripeSubscriptionId { get; init; }

    public string? StripeInvoiceId { get; init; }

    /// <summary>Prepaid credit spent on this period (minor units of <see cref="Currency"/>), once <see cref="InvoiceRunStep.CreditApplied"/>.</summary>
    public long CreditApplied { get; init; }

    /// <summary>The negative invoice item that shows <see cref="CreditApplied"/> on the invoice, once created.</summary>
    public string? CreditItemId { get; init; }

    /// <summary>
    /// How the invoice was treated because the subscription's collection was paused in Stripe when the run came to
    /// finalize it (kept a draft, voided or marked uncollectible, never collected); null when it was collected as usual.
    /// Saved before acting, so a resumed run finishes what it decided.
    /// </summary>
    public CollectionPauseBehavior? CollectionPause { get; init; }

    public string? Number { get; init; }

    public string? HostedInvoiceUrl { get; init; }

    /// <summary>Stripe's invoice status as last read: draft while the run builds it; open, paid, void or uncollectible once finalized; <c>deleted</c> for a draft deleted in Stripe (<see cref="InvoiceRunStatusSync.RecordDeletedAsync"/>).</summary>
    public string? Status { get; init; }

    /// <summary>
    /// Stripe's total of the finalized invoice when it is not <see cref="AmountDue"/>: an operator changed the draft the run
    /// left for them (an item added or changed in the dashboard) and finalized it. Once an invoice is no longer a draft,
    /// Stripe's is the truth, so this is what the invoice bills (<see cref="AmountBilled"/>); null while it bills what the
    /// run computed, or is a draft.
    /// </summary>
    public long? StripeTotal { get; init; }

    /// <summary>
    /// Stripe's <c>amount_due</c> of the finalized invoice as last read: what Stripe asks the customer to pay, which is
    /// not what the invoice bills (<see cref="AmountBilled"/>) when the customer's Stripe balance applied (a balance
    /// carried from an earlier invoice is added), and 0 for an invoice below Stripe's minimum charge, which Stripe marks
    /// paid and carries to the customer's balance for their next invoice. Null while a draft (or for a run recorded before
    /// it was kept).
    /// </summary>
    public long? StripeAmountDue { get; init; }

    /// <summary>Stripe's <c>amount_paid</c> of the finalized invoice as last read; null while a draft (or recorded before it was kept).</summary>
    public long? StripeAmountPaid { get; init; }

    /// <summary>How many times a job worked on this run (a resumed run reconciles with Stripe by metadata first).</summary>
    public int Attempts { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The store's concurrency token; null before the run is stored.</summary>
    public string? ETag { get; init; }

    /// <summary>
    /// The store's save counter: 1 when the run is created, one more on every save (set by the store, like
    /// <see cref="ETag"/>; whatever the run carries is ignored). Saves are ETag-guarded, so a higher revision is a later
    /// save whatever the clocks of the instances that made them said (<see cref="UpdatedAt"/> is the saver's clock).
    /// Null before the run is stored, and on a run stored before revisions were kept until its next save.
    /// </summary>
    public long? Revision { get; init; }

    public string RunId => $"{AccountId.Value}:{PeriodKey.Value}";

    public long Total => Lines.Sum(l => l.Amount);

    /// <summary>What the run computed the card is billed: the charges less the credit applied.</summary>
    public long AmountDue => Total - CreditApplied;

    /// <summary>What the Stripe invoice bills: <see cref="StripeTotal"/> when an operator finalized it at another total, else <see cref="AmountDue"/>.</summary>
    public long AmountBilled => StripeTotal ?? AmountDue;

    /// <summary>The invoice item metadata <c>meter</c> value of the credit line (never a meter name: meters have no <c>:</c>).</summary>
    public const string CreditLineKey = "credit:prepaid";

    /// <summary>What the run's credit spend is keyed by (<c>invoice:{runId}</c>): one spend per run, on every delivery.</summary>
    public string CreditSpend => "invoice:" + RunId;

    /// <summary>The run's one spend of prepaid credit: up to its total, owed at its period's end (credit held then counts if it had not expired by it).</summary>
    public CreditOperation CreditSpendOperation => CreditSpendOf(Total);

    /// <summary>That spend taking at most <paramref name="upTo"/> (what the invoices of earlier periods leave: <see cref="CreditOrder"/>).</summary>
    public CreditOperation CreditSpendOf(long upTo) => CreditOperation.Spend(CreditSpend, Currency, upTo, PeriodEnd, RunId);

    /// <summary>The key of the ledger entry that spend wrote (<c>spend:invoice:{runId}</c>), which a void gives back.</summary>
    public string CreditSpendEntryKey => CreditOperation.SpendKey(CreditSpend);

    /// <summary>
    /// Whether Stripe's <paramref name="status"/> gives the credit spent on this run back: a voided invoice is owed by
    /// nobody, so the credit it applied returns to the ledger (as Stripe returns a balance it applied); an
    /// uncollectible one stays owed, and the credit stays spent.
    /// </summary>
    public bool GivesCreditBack(string? status) => CreditApplied > 0 && string.Equals(status, "void", StringComparison.Ordinal);

    /// <summary>
    /// The run with Stripe's <paramref name="invoice"/> as read: its status, its number and link once it has them (a draft
    /// kept while collection was paused gets them when it is finalized), and, once it is no longer a draft, its total when
    /// that is not <see cref="AmountDue"/> (<see cref="StripeTotal"/>): a finalized invoice is what Stripe bills; and then
    /// what Stripe asks the customer to pay and what was paid (<see cref="StripeAmountDue"/>, <see cref="StripeAmountPaid"/>).
    /// </summary>
    public InvoiceRun WithInvoice(StripeUsageInvoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        return this with
        {
            Status = invoice.Status,
            Number = invoice.Number ?? Number,
            HostedInvoiceUrl = invoice.HostedInvoiceUrl ?? HostedInvoiceUrl,
            StripeTotal = invoice.Status == "draft" ? StripeTotal : invoice.Total == AmountDue ? null : invoice.Total,
            StripeAmountDue = invoice.Status == "draft" ? StripeAmountDue : invoice.AmountDue,
            StripeAmountPaid = invoice.Status == "draft" ? StripeAmountPaid : invoice.AmountPaid,
        };
    }

    /// <summary>
    /// Whether this run, taken from Stripe's invoice (<see cref="WithInvoice"/>) since <paramref name="before"/>, now bills
    /// another amount than it computed and did not before: what the operator is warned of, once (a void one bills nobody).
    /// </summary>
    public bool NewlyBillsOtherThanComputed(InvoiceRun before)
    {
        ArgumentNullException.ThrowIfNull(before);
        return StripeTotal is { } billed && billed != before.StripeTotal && !string.Equals(Status, "void", StringComparison.Ordinal);
    }

    public bool IsDone => Step is InvoiceRunStep.Recorded or InvoiceRunStep.NothingToBill or InvoiceRunStep.CoveredByCredit;

    /// <summary>
    /// Whether <paramref name="stored"/>, a copy of one run's save (its entry in the operators' invoice index), is of a
    /// later save than <paramref name="candidate"/>, so the candidate must not replace it: the higher
    /// <see cref="Revision"/> when both have one and they differ; otherwise (a copy made before revisions, or the same
    /// save) the later <see cref="UpdatedAt"/>, then the later <see cref="Step"/>, then the later <see cref="StatusRank"/>.
    /// </summary>
    public static bool IsLaterSave(InvoiceRun stored, InvoiceRun candidate)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(candidate);
        return IsLaterSave((stored.Revision, stored.UpdatedAt, stored.Step, stored.Status), (candidate.Revision, candidate.UpdatedAt, candidate.Step, candidate.Status));
    }

    /// <summary><see cref="IsLaterSave(InvoiceRun, InvoiceRun)"/> on the fields it compares (for stores that keep copies in their own form).</summary>
    public static bool IsLaterSave((long? Revision, DateTimeOffset UpdatedAt, InvoiceRunStep Step, string? Status) stored, (long? Revision, DateTimeOffset UpdatedAt, InvoiceRunStep Step, string? Status) candidate)
    {
        if (stored.Revision is { } storedRevision && candidate.Revision is { } candidateRevision && storedRevision != candidateRevision)
        {
            return storedRevision > candidateRevision;
        }

        return stored.UpdatedAt > candidate.UpdatedAt
               || (stored.UpdatedAt == candidate.UpdatedAt
                   && (stored.Step > candidate.Step || (stored.Step == candidate.Step && StatusRank(stored.Status) > StatusRank(candidate.Status))));
    }

    /// <summary>
    /// Where Stripe's invoice <paramref name="status"/> stands in the order an invoice goes through, which never goes back:
    /// draft, open, uncollectible, then paid or void (a status Stripe adds later ranks as open). It orders two copies of
    /// one run saved at the same step and instant when they carry no <see cref="Revision"/> to order them (copies made
    /// before revisions): a webhook's status save keeps the run's <see cref="UpdatedAt"/>, so the index entry of the
    /// job's save before it, landing late, must not replace it.
    /// </summary>
    public static int StatusRank(string? status) => status switch
    {
        "draft" => 0,
        "uncollectible" => 2,
        "paid" or "void" or InvoiceRunStatusSync.Deleted => 3,
        _ => 1,
    };

    /// <summary>A new run from the priced period: <see cref="InvoiceRunStep.NothingToBill"/> when nothing is charged.</summary>
    public static InvoiceRun Start(PeriodCharges charges, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(charges);
        _ = charges.Total; // lines that each fit may not fit together: OverflowException here, before a run exists
        return new InvoiceRun
        {
            AccountId = charges.AccountId,
            PeriodKey = charges.Period.Key,
            PeriodStart = charges.Period.Start,
            PeriodEnd = charges.Period.End,
            Plan = charges.Plan,
            Plans = charges.Plans,
            Currency = charges.Currency,
            Lines = [.. charges.Lines.Select(l => new InvoiceRunLine(l.Meter, l.Used, l.Included, l.OverageUnits, l.Amount.MinorUnits, charges.Describe(l)))],
            Step = charges.IsZero ? InvoiceRunStep.NothingToBill : InvoiceRunStep.Computed,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
