using Billing.Application.StripeEvents.Recovery;

namespace Billing.FunctionApp.Admin;

/// <summary>The body of <c>POST /api/billing/admin/events/recover</c>; every member optional.</summary>
public sealed record EventRecoveryRequest
{
    /// <summary>Events created at or after this time (default: 30 days ago, the earliest Stripe lists).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Also the events every endpoint received (default: only those some endpoint has not).</summary>
    public bool? All { get; init; }

    /// <summary>Only say what would be done.</summary>
    public bool? DryRun { get; init; }

    /// <summary>The most events this run takes, 1 to 1000 (default 500).</summary>
    public int? Limit { get; init; }

    /// <summary>The <c>nextCursor</c> of the previous run, unchanged, sent with the same since, all and dryRun.</summary>
    public string? Cursor { get; init; }
}

/// <summary>What the recovery did (or would do) with each event of its batch, oldest first, the counts, and the cursor of the next batch while more remain.</summary>
public sealed record EventRecoveryResponse(DateTimeOffset Since, bool All, bool DryRun, IReadOnlyList<RecoveredEventView> Events, EventRecoverySummary Summary, string? NextCursor)
{
    public static EventRecoveryResponse From(StripeEventRecoveryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var events = report.Events.Select(e => new RecoveredEventView(e.Id, e.Type, e.Created, e.Outcome.ToContract(), e.Requeued, e.Reason)).ToList();
        var summary = new EventRecoverySummary(
            events.Count, report.Count(StripeEventRecoveryOutcome.Queued), report.Count(StripeEventRecoveryOutcome.Duplicate), report.Count(StripeEventRecoveryOutcome.Skipped));
        return new EventRecoveryResponse(report.Since, report.IncludeDelivered, report.DryRun, events, summary, report.NextCursor);
    }
}

/// <param name="Outcome"><c>queued</c>, <c>duplicate</c> or <c>skipped</c>.</param>
/// <param name="Requeued">A duplicate not final yet, queued again.</param>
/// <param name="Reason">Why a skipped event was not stored.</param>
public sealed record RecoveredEventView(string Id, string Type, DateTimeOffset Created, string Outcome, bool Requeued, string? Reason);

public sealed record EventRecoverySummary(int Listed, int Queued, int Duplicates, int Skipped);

internal static class EventRecoveryContractMapping
{
    public static string ToContract(this StripeEventRecoveryOutcome outcome) => outcome switch
    {
        StripeEventRecoveryOutcome.Queued => "queued",
        StripeEventRecoveryOutcome.Duplicate => "duplicate",
        StripeEventRecoveryOutcome.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown recovery outcome."),
    };
}
