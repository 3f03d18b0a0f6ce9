using System.Text.Json;
using Billing.Application.Invoicing;
using Billing.Domain.Invoicing;

namespace Billing.FunctionApp.Admin;

/// <summary>The body of <c>POST /api/billing/admin/invoices/runs</c>: a month (<c>YYYY-MM</c>), a dry run or not, one account or all.</summary>
public sealed record InvoiceRunStartRequest
{
    public string? Period { get; init; }

    public bool? DryRun { get; init; }

    public string? AccountId { get; init; }
}

/// <summary>
/// What a run started: the jobs queued (one per closed, not invoiced period of the month), or in a dry run what each
/// would charge (nothing was written and Stripe was not called), the periods of the month not closed yet, and totals
/// per currency of the dry run's charges.
/// </summary>
public sealed record InvoiceRunStartResponse
{
    public required string Period { get; init; }

    public required bool DryRun { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required IReadOnlyList<QueuedInvoiceRun> Queued { get; init; }

    public required int NotClosedYet { get; init; }

    /// <summary>Dry run only: one entry per period that has counters, in the order of <see cref="Queued"/> (an index entry left without counters, by a stop between the two writes, has nothing to price; its job finds nothing to bill).</summary>
    public IReadOnlyList<DryRunCharges>? Charges { get; init; }

    /// <summary>Dry run only: the sum of the charges per currency (minor units).</summary>
    public IReadOnlyDictionary<string, long>? Totals { get; init; }

    internal static InvoiceRunStartResponse From(InvoicingRunStarted started) => new()
    {
        Period = started.Month.ToString(),
        DryRun = started.DryRun,
        StartedAt = started.StartedAt,
        Queued = [.. started.Periods.Select(p => new QueuedInvoiceRun($"{p.AccountId.Value}:{p.PeriodKey.Value}", p.AccountId.Value, p.PeriodKey.Value, p.PeriodStart, p.PeriodEnd))],
        NotClosedYet = started.NotClosedYet,
        Charges = started.DryRun ? [.. started.Charges.Select(DryRunCharges.From)] : null,
        Totals = started.DryRun
            ? started.Charges.GroupBy(c => c.Currency.Code, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Total.MinorUnits), StringComparer.Ordinal)
            : null,
    };
}

/// <summary>A (queued or, in a dry run, priced) period: the run id the job works under, the account and the period.</summary>
public sealed record QueuedInvoiceRun(string RunId, string AccountId, string PeriodKey, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd);

/// <summary>What a period would be invoiced in a dry run: lines and total in the plan's currency, or nothing to bill.</summary>
public sealed record DryRunCharges
{
    public required string RunId { get; init; }

    public required string AccountId { get; init; }

    public required string Plan { get; init; }

    /// <summary>The plans in order ("PRO then ENTERPRISE") when the plan changed during the period; null when <see cref="Plan"/> applied throughout.</summary>
    public string? Plans { get; init; }

    public required string Currency { get; init; }

    public required long Total { get; init; }

    public required bool NothingToBill { get; init; }

    public required IReadOnlyList<InvoiceRunLineView> Lines { get; init; }

    internal static DryRunCharges From(PeriodCharges charges) => new()
    {
        RunId = $"{charges.AccountId.Value}:{charges.Period.Key.Value}",
        AccountId = charges.AccountId.Value,
        Plan = charges.Plan.Value,
        Plans = charges.Plans,
        Currency = charges.Currency.Code,
        Total = charges.Total.MinorUnits,
        NothingToBill = charges.IsZero,
        Lines = [.. charges.Lines.Select(l => new InvoiceRunLineView(l.Meter.Value, charges.Describe(l), l.Used, l.Included, l.OverageUnits, l.Amount.MinorUnits, null))],
    };
}

/// <summary>
/// One page of a month's runs; pass <see cref="NextCursor"/> back as <c>cursor</c> for the next (null on the last page).
/// <see cref="Complete"/> false: the listing of every account read a month's run index marked complete neither by a
/// backfill (<c>POST /api/billing/admin/invoices/runs/backfill</c>) nor by the invoicing timer a day before the month
/// began, so runs created before the index existed may be missing.
/// </summary>
public sealed record InvoiceRunsResponse(IReadOnlyList<InvoiceRunView> Runs, string? NextCursor, bool Complete);

/// <summary>The body of <c>POST /api/billing/admin/invoices/runs/backfill</c>: the month (<c>YYYY-MM</c>) whose run index to complete.</summary>
public sealed record RunIndexBackfillRequest
{
    public string? Period { get; init; }
}

/// <summary>
/// What a backfill of a month's run index did: the closing-day index entries of the month read, the runs they have, the
/// entries written for runs not named yet (0 when run again), and since when the month's index is complete (the first
/// backfill's end, or the invoicing timer's run before the month began; null:
/// the month is too old for the closing-day index to name all its periods; its listing stays incomplete).
/// </summary>
public sealed record RunIndexBackfillResponse(string Period, int PeriodsRead, int RunsFound, int EntriesWritten, bool Complete, DateTimeOffset? CompletedAt)
{
    internal static RunIndexBackfillResponse From(RunIndexBackfilled done) =>
        new(done.Month.ToString(), done.PeriodsRead, done.RunsFound, done.EntriesWritten, done.CompletedAt is not null, done.CompletedAt);
}

/// <summary>An invoice run as the operator follows it: its step, what exists in Stripe, the lines and total.</summary>
public sealed record InvoiceRunView
{
    public required string RunId { get; init; }

    public required string AccountId { get; init; }

    public required string PeriodKey { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    /// <summary>
    /// <c>computed</c>, <c>creditApplied</c>, <c>draftCreated</c>, <c>itemsCreated</c>, <c>finalized</c>, <c>recorded</c>,
    /// or <c>nothingToBill</c>, or <c>coveredByCredit</c> (prepaid credit paid it all; no Stripe invoice).
    /// </summary>
    public required string Step { get; init; }

    public required string Plan { get; init; }

    /// <summary>The plans in order ("PRO then ENTERPRISE") when the plan changed during the period; null when <see cref="Plan"/> applied throughout.</summary>
    public string? Plans { get; init; }

    public required string Currency { get; init; }

    /// <summary>The lines' total (minor units).</summary>
    public required long Total { get; init; }

    /// <summary>Prepaid credit the run spent on the period (minor units); 0 when none.</summary>
    public required long CreditApplied { get; init; }

    /// <summary>
    /// What the Stripe invoice bills: <see cref="Total"/> less <see cref="CreditApplied"/> (0 when credit paid it all), or
    /// Stripe's total when an operator changed the invoice in Stripe and finalized it (it then differs from that difference).
    /// </summary>
    public required long AmountDue { get; init; }

    public string? StripeInvoiceId { get; init; }

    public string? Number { get; init; }

    /// <summary>Stripe's invoice status as last seen by the run.</summary>
    public string? Status { get; init; }

    /// <summary>
    /// <c>keepAsDraft</c>, <c>markUncollectible</c> or <c>void</c> when the subscription's collection was paused in Stripe
    /// as the run came to finalize its invoice (the invoice was then treated so, never collected); null when collected as usual.
    /// </summary>
    public string? CollectionPause { get; init; }

    public string? HostedInvoiceUrl { get; init; }

    public required int Attempts { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required IReadOnlyList<InvoiceRunLineView> Lines { get; init; }

    internal static InvoiceRunView From(InvoiceRun run) => new()
    {
        RunId = run.RunId,
        AccountId = run.AccountId.Value,
        PeriodKey = run.PeriodKey.Value,
        PeriodStart = run.PeriodStart,
        PeriodEnd = run.PeriodEnd,
        Step = JsonNamingPolicy.CamelCase.ConvertName(run.Step.ToString()),
        Plan = run.Plan.Value,
        Plans = run.Plans,
        Currency = run.Currency.Code,
        Total = run.Total,
        CreditApplied = run.CreditApplied,
        AmountDue = run.AmountBilled,
        StripeInvoiceId = run.StripeInvoiceId,
        Number = run.Number,
        Status = run.Status,
        CollectionPause = run.CollectionPause is { } pause ? JsonNamingPolicy.CamelCase.ConvertName(pause.ToString()) : null,
        HostedInvoiceUrl = run.HostedInvoiceUrl,
        Attempts = run.Attempts,
        UpdatedAt = run.UpdatedAt,
        Lines = [.. run.Lines.Select(l => new InvoiceRunLineView(l.Meter.Value, l.Description, l.Used, l.Included, l.OverageUnits, l.Amount, l.StripeItemId))],
    };
}

/// <summary>One meter's overage (amount in minor units) and its Stripe invoice item once created.</summary>
public sealed record InvoiceRunLineView(string Meter, string Description, long Used, long Included, long OverageUnits, long Amount, string? StripeItemId);
