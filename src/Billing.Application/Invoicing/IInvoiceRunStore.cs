using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Invoicing;

/// <summary>Invoice runs, one document per account and period in the account's partition.</summary>
public interface IInvoiceRunStore
{
    Task<InvoiceRun?> GetAsync(AccountId accountId, UsagePeriodKey periodKey, CancellationToken cancellationToken);

    /// <summary>
    /// The stored runs of these periods of the account (none for a period without one), read together: one request inside
    /// the account's partition however many periods, where a <see cref="GetAsync"/> per period would make one each.
    /// </summary>
    Task<IReadOnlyList<InvoiceRun>> GetManyAsync(AccountId accountId, IReadOnlyCollection<UsagePeriodKey> periodKeys, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new run, named first in the run index of the month its period ends in (<see cref="ListOfMonthAsync"/>);
    /// when one exists already (a concurrent or earlier job), returns that one instead.
    /// </summary>
    /// <exception cref="OperatorCopyNotWrittenException">The run is stored, but its entry in the operators' invoice index was not written.</exception>
    Task<InvoiceRun> CreateAsync(InvoiceRun run, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the run if nobody wrote it since it was read (its <see cref="InvoiceRun.ETag"/>); returns it as stored. A
    /// run with a Stripe invoice is then copied to the operators' invoice index.
    /// </summary>
    /// <exception cref="InvoiceRunConflictException">Another job wrote the run meanwhile.</exception>
    /// <exception cref="OperatorCopyNotWrittenException">The run is saved, but its entry in the operators' invoice index was not written.</exception>
    Task<InvoiceRun> SaveAsync(InvoiceRun run, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the run's entry in the operators' invoice index again, as its last save wrote it (nothing for a run without
    /// a Stripe invoice; a newer entry is kept): the repair a retry makes when it finds nothing left to save, in case the
    /// delivery that saved the run last failed or stopped before the entry was written.
    /// </summary>
    /// <exception cref="OperatorCopyNotWrittenException">The entry was not written.</exception>
    Task RecordInIndexAsync(InvoiceRun run, CancellationToken cancellationToken);

    /// <summary>
    /// The account's runs that produced an invoice (one partition), newest period first and, among periods that began
    /// at the same instant, period key descending (a total order, so keyset paging neither skips nor repeats one);
    /// those after <paramref name="after"/> in that order when given, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<InvoiceRun>> ListInvoicedAsync(AccountId accountId, InvoicedRunPosition? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The runs (any step) of the periods that end in <paramref name="month"/> (<see cref="BillingMonth"/>), of one
    /// account or of all, in run id order after <paramref name="afterRunId"/> (keyset paging), at most
    /// <paramref name="limit"/>; without an account from the month's run index, which <see cref="CreateAsync"/> writes.
    /// </summary>
    Task<IReadOnlyList<InvoiceRun>> ListOfMonthAsync(BillingMonth month, AccountId? accountId, string? afterRunId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Names <paramref name="run"/> in the run index of the month its period ends in, as <see cref="CreateAsync"/> does
    /// before the create; nothing when it is named already. True when this call wrote the entry. What the backfill of a
    /// month (<see cref="InvoicingRuns.BackfillRunIndexAsync"/>) does for a run created before the index existed.
    /// </summary>
    Task<bool> NameInMonthIndexAsync(InvoiceRun run, CancellationToken cancellationToken);

    /// <summary>
    /// Since when every run of <paramref name="month"/> is named in its run index: when a backfill of the month finished,
    /// or when the invoicing timer ran a day or more before the month began (<see cref="InvoicingSweep.RunIndexMarkLead"/>),
    /// whichever came first; null when neither did: the listing of the month without an account may then miss runs
    /// created before the index.
    /// </summary>
    Task<DateTimeOffset?> GetMonthIndexCompletedAsync(BillingMonth month, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="month"/>'s run index names every run of the month since <paramref name="at"/> (<see cref="GetMonthIndexCompletedAsync"/>); the first record is kept.</summary>
    Task MarkMonthIndexCompletedAsync(BillingMonth month, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// The run that created the Stripe invoice <paramref name="stripeInvoiceId"/>, if any: through the operators' invoice
    /// index, and across every account only for an invoice the index does not name; for the operator
    /// (<see cref="InvoicingRuns"/>) only; webhooks read the run their invoice's metadata names.
    /// </summary>
    Task<InvoiceRun?> FindByStripeInvoiceAsync(string stripeInvoiceId, CancellationToken cancellationToken);
}

/// <summary>A place in the order of <see cref="IInvoiceRunStore.ListInvoicedAsync"/>: the period's start, then its key.</summary>
public readonly record struct InvoicedRunPosition(DateTimeOffset PeriodStart, UsagePeriodKey PeriodKey)
{
    /// <summary>The position of <paramref name="run"/>: the next page starts after it.</summary>
    public static InvoicedRunPosition Of(InvoiceRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(run.PeriodStart, run.PeriodKey);
    }

    /// <summary>Whether <paramref name="run"/> comes after this position (an older start, or the same start and a lower key).</summary>
    public bool Precedes(InvoiceRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.PeriodStart < PeriodStart || (run.PeriodStart == PeriodStart && string.CompareOrdinal(run.PeriodKey.Value, PeriodKey.Value) < 0);
    }
}

/// <summary>Two jobs worked on one run at once; the loser's delivery is retried and resumes from the stored state.</summary>
public sealed class InvoiceRunConflictException : Exception
{
    public InvoiceRunConflictException()
    {
    }

    public InvoiceRunConflictException(string message)
        : base(message)
    {
    }

    public InvoiceRunConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
