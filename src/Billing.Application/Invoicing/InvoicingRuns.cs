using Billing.Application.Accounts;
using Billing.Application.Outcomes;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Invoicing;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Invoicing;

/// <summary>An operator's invoicing run: a month (<c>YYYY-MM</c>, see <see cref="BillingMonth"/>), optionally one account; a dry run only prices.</summary>
public sealed record InvoicingRunRequest(string? Period, bool DryRun, string? AccountId);

/// <summary>
/// What a run found: the closed, not yet invoiced periods of the month (queued as jobs, or only priced in a dry run,
/// then with <see cref="Charges"/> per period), how many periods of the month have not closed yet, and when it started.
/// </summary>
public sealed record InvoicingRunStarted(BillingMonth Month, bool DryRun, DateTimeOffset StartedAt, IReadOnlyList<UsagePeriodEntry> Periods, int NotClosedYet, IReadOnlyList<PeriodCharges> Charges);

/// <summary>
/// One page of the runs of a month; <see cref="NextCursor"/> asks for the next one (null: this was the last).
/// <see cref="Complete"/> is false when the listing of every account read a month's run index that is not marked complete
/// (by a backfill, <see cref="InvoicingRuns.BackfillRunIndexAsync"/>, or by the invoicing timer before the month began):
/// runs created before the index existed may be missing.
/// </summary>
public sealed record InvoiceRunPage(IReadOnlyList<InvoiceRun> Runs, string? NextCursor, bool Complete = true);

/// <summary>
/// What a backfill of a month's run index did: the closing-day index entries of the month it read, the runs they have,
/// the index entries it wrote for runs not named yet (0 when run again), and whether the month's index is complete
/// (<see cref="CompletedAt"/>: since when, the first backfill's end or the invoicing timer's mark before the month began), which it is not when the month is too old for the
/// closing-day index to still name all its periods.
/// </summary>
public sealed record RunIndexBackfilled(BillingMonth Month, int PeriodsRead, int RunsFound, int EntriesWritten, DateTimeOffset? CompletedAt);

/// <summary>
/// The operator's side of usage invoicing (<c>billing invoices run|show</c> through the admin endpoints): start a run for
/// a month, the same enumeration and the same jobs as the <c>MonthlyInvoicing</c> timer (<see cref="InvoicingSweep"/>),
/// or price it without touching Stripe or writing anything; follow the month's runs page by page; read one run by its
/// id or its Stripe invoice id.
/// </summary>
public sealed partial class InvoicingRuns(
    InvoicingSweep sweep,
    IUsageLedger usage,
    IInvoiceRunStore runs,
    IBillingAccountStore accounts,
    PlanCatalog catalog,
    IOptions<InvoicingOptions> options,
    TimeProvider time,
    ILogger<InvoicingRuns> logger)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 500;
    private const int DryRunParallelism = 16; // also the backfill's point reads at a time
    private const string Listing = "invoiceRuns";
    private const string MonthFormat = "Must be a month as YYYY-MM (e.g. 2026-11).";

    public async Task<Outcome<InvoicingRunStarted>> StartAsync(InvoicingRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!BillingMonth.TryParse(request.Period, out var month))
        {
            return Outcome.Invalid<InvoicingRunStarted>("period", MonthFormat);
        }

        AccountId? accountId = null;
        if (request.AccountId is not null)
        {
            if (!AccountId.TryParse(request.AccountId, out var parsed, out var error))
            {
                return Outcome.Invalid<InvoicingRunStarted>("accountId", error ?? "Not a valid account id.");
            }

            accountId = parsed;
        }

        var now = time.GetUtcNow();
        if (month.Start > now)
        {
            return Outcome.Refused<InvoicingRunStarted>(RefusalReason.PeriodNotClosed, $"No period of {month} has closed: the month has not begun.");
        }

        if (accountId is { } id && await accounts.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return Outcome.Refused<InvoicingRunStarted>(RefusalReason.AccountNotFound, $"Billing account '{id}' does not exist.");
        }

        var periods = (await sweep.ListNotInvoicedAsync(month.FirstIndexDay, month.LastIndexDay, accountId, cancellationToken).ConfigureAwait(false))
            .Where(p => month.Contains(p.PeriodEnd))
            .OrderBy(p => p.AccountId.Value, StringComparer.Ordinal)
            .ToList();
        // Closed and settled: a period that closed moments ago may still get usage recorded before its end, so its job
        // would price nothing yet (InvoicingOptions.SettleTime); it counts as not closed yet.
        var closed = periods.Where(p => options.Value.IsSettled(p.PeriodEnd, now)).ToList();
        var open = periods.Count - closed.Count;
        if (accountId is not null && closed.Count == 0 && open > 0)
        {
            var end = periods.Min(p => p.PeriodEnd);
            return Outcome.Refused<InvoicingRunStarted>(RefusalReason.PeriodNotClosed, $"Account '{accountId}' has a period of {month} that closes at {end:O}; it can be invoiced from {end + options.Value.SettleTime:O}, once usage recorded before its end is all counted.");
        }

        IReadOnlyList<PeriodCharges> charges = [];
        if (request.DryRun)
        {
            charges = await PriceAsync(closed, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await sweep.EnqueueAsync(closed, cancellationToken).ConfigureAwait(false);
        }

        LogStarted(month, request.DryRun, closed.Count, open);
        return Outcome.Succeeded(new InvoicingRunStarted(month, request.DryRun, now, closed, open, charges));
    }

    /// <summary>The runs of the month's periods (any step), optionally of one account, a page at a time in run id order.</summary>
    public async Task<Outcome<InvoiceRunPage>> ListAsync(string? period, string? accountId, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (!BillingMonth.TryParse(period, out var month))
        {
            errors.Add("period", MonthFormat);
        }

        AccountId? account = null;
        if (accountId is not null)
        {
            if (AccountId.TryParse(accountId, out var parsed, out var error))
            {
                account = parsed;
            }
            else
            {
                errors.Add("accountId", error ?? "Not a valid account id.");
            }
        }

        var filters = new[] { ("period", period), ("accountId", account?.Value) };
        var after = Paging.After(Listing, cursor, errors, id => InvoiceJob.TryParseRunId(id, out _), filters);
        var size = Paging.Size(limit, DefaultPageSize, MaxPageSize, errors);
        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<InvoiceRunPage>(errors);
        }

        var page = await runs.ListOfMonthAsync(month, account, after, size!.Value + 1, cancellationToken).ConfigureAwait(false);
        // With an account the listing reads the account's own runs; without, the month's run index, complete once marked:
        // by a backfill of the month (runs created before the index existed are named in it then) or by the invoicing
        // timer a day before the month began (every run of the month is created after that, by a version that names it).
        var complete = account is not null || await runs.GetMonthIndexCompletedAsync(month, cancellationToken).ConfigureAwait(false) is not null;
        return page.Count > size
            ? Outcome.Succeeded(new InvoiceRunPage([.. page.Take(size.Value)], Paging.Next(Listing, page[size.Value - 1].RunId, filters), complete))
            : Outcome.Succeeded(new InvoiceRunPage(page, null, complete));
    }

    /// <summary>
    /// Names every run of the month's periods in the month's run index (what an upgrade from a version before the index
    /// leaves out): the closing-day index of each day of the month, invoiced entries too, then a point read of each
    /// period's run and, for a run found, the create of its entry (nothing when it is named already); no query across the
    /// accounts' partitions. Then, when the closing-day index still names every period of the month (its invoiced entries
    /// are kept <see cref="InvoicingOptions.MaxLookbackDays"/> days from their invoicing, which is after the month began),
    /// marks the month's index complete (the first mark is kept). Running it again writes nothing.
    /// </summary>
    public async Task<Outcome<RunIndexBackfilled>> BackfillRunIndexAsync(string? period, CancellationToken cancellationToken)
    {
        if (!BillingMonth.TryParse(period, out var month))
        {
            return Outcome.Invalid<RunIndexBackfilled>("period", MonthFormat);
        }

        var now = time.GetUtcNow();
        if (month.Start > now)
        {
            return Outcome.Refused<RunIndexBackfilled>(RefusalReason.PeriodNotClosed, $"No period of {month} has closed: the month has not begun.");
        }

        var periods = new List<UsagePeriodEntry>();
        for (var day = month.FirstIndexDay; day <= month.LastIndexDay; day = day.AddDays(1))
        {
            periods.AddRange((await usage.ListAllPeriodsEndingAsync(day, cancellationToken).ConfigureAwait(false)).Where(p => month.Contains(p.PeriodEnd)));
        }

        periods = [.. periods.DistinctBy(p => (p.AccountId, p.PeriodKey))];
        var (found, written) = (0, 0);
        await Parallel.ForAsync(0, periods.Count, new ParallelOptions { MaxDegreeOfParallelism = DryRunParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            if (await runs.GetAsync(periods[i].AccountId, periods[i].PeriodKey, ct).ConfigureAwait(false) is { } run)
            {
                Interlocked.Increment(ref found);
                if (await runs.NameInMonthIndexAsync(run, ct).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref written);
                }
            }
        }).ConfigureAwait(false);

        DateTimeOffset? completedAt = null;
        if (now <= month.Start.AddDays(InvoicingOptions.MaxLookbackDays))
        {
            await runs.MarkMonthIndexCompletedAsync(month, now, cancellationToken).ConfigureAwait(false);
            completedAt = await runs.GetMonthIndexCompletedAsync(month, cancellationToken).ConfigureAwait(false);
        }

        LogBackfilled(month, periods.Count, found, written, completedAt is not null);
        return Outcome.Succeeded(new RunIndexBackfilled(month, periods.Count, found, written, completedAt));
    }

    /// <summary>A run by its id (<c>{accountId}:{periodKey}</c>) or by the Stripe invoice it created (<c>in_...</c>); refused (<see cref="RefusalReason.InvoiceRunNotFound"/>) when there is none.</summary>
    public async Task<Outcome<InvoiceRun>> FindAsync(string? id, CancellationToken cancellationToken)
    {
        InvoiceRun? run;
        if (InvoiceJob.TryParseRunId(id, out var job))
        {
            run = await runs.GetAsync(job.AccountId, job.PeriodKey, cancellationToken).ConfigureAwait(false);
        }
        else if (id is { Length: > 3 and <= 255 } && id.StartsWith("in_", StringComparison.Ordinal) && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            run = await runs.FindByStripeInvoiceAsync(id, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            return Outcome.Invalid<InvoiceRun>("id", "Must be a run id ({accountId}:{periodKey}) or a Stripe invoice id (in_...).");
        }

        return run is null
            ? Outcome.Refused<InvoiceRun>(RefusalReason.InvoiceRunNotFound, $"No invoice run has the id or Stripe invoice '{id}'.")
            : Outcome.Succeeded(run);
    }

    /// <summary>Prices each period as its job would (<see cref="PeriodCharges.Price"/> over the stored counters); reads only.</summary>
    private async Task<IReadOnlyList<PeriodCharges>> PriceAsync(List<UsagePeriodEntry> periods, CancellationToken cancellationToken)
    {
        var priced = new PeriodCharges?[periods.Count];
        await Parallel.ForAsync(0, periods.Count, new ParallelOptions { MaxDegreeOfParallelism = DryRunParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var counters = await usage.GetAsync(periods[i].AccountId, periods[i].PeriodKey, ct).ConfigureAwait(false);
            priced[i] = counters is null ? null : PeriodCharges.Price(counters, catalog);
        }).ConfigureAwait(false);
        return [.. priced.OfType<PeriodCharges>()];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run index backfill of {Month}: {Periods} periods read, {Found} runs found, {Written} entries written; complete: {Complete}")]
    private partial void LogBackfilled(BillingMonth month, int periods, int found, int written, bool complete);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoicing run for {Month} (dry run: {DryRun}): {Closed} closed periods, {Open} not closed yet")]
    private partial void LogStarted(BillingMonth month, bool dryRun, int closed, int open);
}
