using System.Text;
using Billing.Application.Outcomes;
using Billing.Application.StripeEvents.Handling;
using Billing.Application.StripeEvents.Ingest;
using Microsoft.Extensions.Logging;

namespace Billing.Application.StripeEvents.Recovery;

/// <summary>What to recover: events created since (default: <see cref="StripeEventRecovery.LookBack"/> ago), the undelivered ones only unless <see cref="IncludeDelivered"/>.</summary>
public sealed record StripeEventRecoveryRequest(DateTimeOffset? Since, bool IncludeDelivered, bool DryRun);

/// <summary>What a recovery did (or, in a dry run, would do) with each listed event, oldest first.</summary>
public sealed record StripeEventRecoveryReport(DateTimeOffset Since, bool IncludeDelivered, bool DryRun, IReadOnlyList<RecoveredStripeEvent> Events)
{
    public int Count(StripeEventRecoveryOutcome outcome) => Events.Count(e => e.Outcome == outcome);
}

/// <param name="Requeued">A duplicate stored but not final, queued again.</param>
/// <param name="Reason">Why a skipped event was not stored.</param>
public sealed record RecoveredStripeEvent(string Id, string Type, DateTimeOffset Created, StripeEventRecoveryOutcome Outcome, bool Requeued = false, string? Reason = null);

public enum StripeEventRecoveryOutcome
{
    /// <summary>Not stored before: stored and queued as a first delivery is.</summary>
    Queued = 0,

    /// <summary>Stored before (delivered, or recovered already): queued again only when not final, as a repeated delivery is.</summary>
    Duplicate = 1,

    /// <summary>Not stored: see the reason.</summary>
    Skipped = 2,
}

/// <summary>
/// The operator's remedy for webhook deliveries that never arrived (<c>POST /api/billing/admin/events/recover</c>, <c>billing
/// admin events recover</c>): lists from Stripe the events of the handled types created since a time (at most
/// <see cref="LookBack"/> ago, as far as Stripe keeps them), by default those some endpoint has not received, and passes each,
/// oldest first, to <see cref="StripeEventIngest"/>, the webhook's own store-and-queue: an event stored before is a
/// duplicate (queued again only while not final, since the store cannot tell whether its message still exists), so
/// each is applied once in effect however often it is recovered or delivered. An event in another API version than the
/// one this build reads, or too large for the store, is skipped with the reason. A dry run only reads the store.
/// </summary>
public sealed partial class StripeEventRecovery(
    IStripeEventSource source,
    IStripeEventStore events,
    StripeEventIngest ingest,
    IEnumerable<IStripeEventTypeHandler> handlers,
    TimeProvider time,
    ILogger<StripeEventRecovery> logger)
{
    /// <summary>How far back Stripe lists events, and the default and earliest <c>since</c>.</summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromDays(30);

    private readonly string[] _types = [.. handlers.SelectMany(h => h.EventTypes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public async Task<Outcome<StripeEventRecoveryReport>> RecoverAsync(StripeEventRecoveryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var since = request.Since ?? now - LookBack;
        if (since > now)
        {
            return Outcome.Invalid<StripeEventRecoveryReport>("since", "Must not be in the future.");
        }

        if (since < now - LookBack)
        {
            return Outcome.Invalid<StripeEventRecoveryReport>("since", "Stripe lists the events of the last 30 days only: give a time within them, or none for all 30 days.");
        }

        var listed = await source.ListAsync(since, _types, undeliveredOnly: !request.IncludeDelivered, cancellationToken).ConfigureAwait(false);
        var recovered = new List<RecoveredStripeEvent>(listed.Count);
        foreach (var stripeEvent in listed)
        {
            recovered.Add(await RecoverAsync(stripeEvent, request.DryRun, cancellationToken).ConfigureAwait(false));
        }

        var report = new StripeEventRecoveryReport(since, request.IncludeDelivered, request.DryRun, recovered);
        var (queued, duplicates, skipped) = (report.Count(StripeEventRecoveryOutcome.Queued), report.Count(StripeEventRecoveryOutcome.Duplicate), report.Count(StripeEventRecoveryOutcome.Skipped));
        LogRecovered(since, request.IncludeDelivered, request.DryRun, recovered.Count, queued, duplicates, skipped);
        return Outcome.Succeeded(report);
    }

    private async Task<RecoveredStripeEvent> RecoverAsync(NewStripeEvent stripeEvent, bool dryRun, CancellationToken cancellationToken)
    {
        var recovered = new RecoveredStripeEvent(stripeEvent.Id, stripeEvent.Type, stripeEvent.Created, StripeEventRecoveryOutcome.Skipped);
        if (SkipReason(stripeEvent) is { } reason)
        {
            LogSkipped(stripeEvent.Id, stripeEvent.Type, reason);
            return recovered with { Reason = reason };
        }

        if (dryRun)
        {
            return await events.GetAsync(stripeEvent.Id, cancellationToken).ConfigureAwait(false) is { } stored
                ? recovered with { Outcome = StripeEventRecoveryOutcome.Duplicate, Requeued = !stored.Status.IsFinal() }
                : recovered with { Outcome = StripeEventRecoveryOutcome.Queued };
        }

        return await ingest.IngestAsync(stripeEvent, cancellationToken).ConfigureAwait(false) switch
        {
            StripeEventIngestOutcome.Queued => recovered with { Outcome = StripeEventRecoveryOutcome.Queued },
            StripeEventIngestOutcome.DuplicateRequeued => recovered with { Outcome = StripeEventRecoveryOutcome.Duplicate, Requeued = true },
            _ => recovered with { Outcome = StripeEventRecoveryOutcome.Duplicate },
        };
    }

    /// <summary>
    /// Stripe renders a listed event in the API version of the account when the event was created, whatever version
    /// the client asks for; one in another version than this build's is not stored as if it read.
    /// </summary>
    private string? SkipReason(NewStripeEvent stripeEvent)
    {
        if (!string.Equals(stripeEvent.ApiVersion, source.ReadableApiVersion, StringComparison.Ordinal))
        {
            return $"Rendered in API version {stripeEvent.ApiVersion ?? "(none)"}, not {source.ReadableApiVersion}, the one this build reads: not stored. Apply it by hand (runbook).";
        }

        return Encoding.UTF8.GetByteCount(stripeEvent.Payload) > IStripeEventStore.MaxPayloadBytes
            ? $"Larger than the event store keeps ({IStripeEventStore.MaxPayloadBytes} bytes): not stored. Apply it by hand (runbook)."
            : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({EventType}) listed for recovery was skipped: {Reason}")]
    private partial void LogSkipped(string eventId, string eventType, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event recovery since {Since} (delivered ones too: {IncludeDelivered}, dry run: {DryRun}): {Listed} listed, {Queued} queued, {Duplicates} duplicates, {Skipped} skipped")]
    private partial void LogRecovered(DateTimeOffset since, bool includeDelivered, bool dryRun, int listed, int queued, int duplicates, int skipped);
}
