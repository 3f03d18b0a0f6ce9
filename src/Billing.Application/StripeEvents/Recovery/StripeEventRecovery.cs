using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Billing.Application.Outcomes;
using Billing.Application.StripeEvents.Handling;
using Billing.Application.StripeEvents.Ingest;
using Microsoft.Extensions.Logging;

namespace Billing.Application.StripeEvents.Recovery;

/// <summary>
/// What to recover: events created since (default: <see cref="StripeEventRecovery.LookBack"/> ago), the undelivered ones
/// only unless <see cref="IncludeDelivered"/>; at most <see cref="Limit"/> of them (default
/// <see cref="StripeEventRecovery.DefaultLimit"/>), after the last one of the batch that handed out <see cref="Cursor"/>.
/// </summary>
public sealed record StripeEventRecoveryRequest(DateTimeOffset? Since, bool IncludeDelivered, bool DryRun, int? Limit = null, string? Cursor = null);

/// <summary>
/// What a recovery did (or, in a dry run, would do) with each event of its batch, oldest first; <see cref="NextCursor"/>
/// continues after the batch's last event while more remain (null when none do).
/// </summary>
public sealed record StripeEventRecoveryReport(DateTimeOffset Since, bool IncludeDelivered, bool DryRun, IReadOnlyList<RecoveredStripeEvent> Events, string? NextCursor = null)
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
/// <see cref="LookBack"/> ago, as far as Stripe keeps them), by default those some endpoint has not received, and passes a
/// batch of them, the oldest by (created, id), to <see cref="StripeEventIngest"/>, the webhook's own store-and-queue. While
/// more remain the report carries a cursor (<see cref="Paging"/>) at the batch's last event: the next run lists from that
/// event's second only and takes the events after it. Each run lists windows of seconds that hold about its batch
/// (<see cref="PendingAsync"/>), so a backlog of any size is recovered in calls of bounded work. An event stored before is a
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

    /// <summary>The events a run takes when the request names no limit.</summary>
    public const int DefaultLimit = 500;

    /// <summary>The most events a run takes: about a Cosmos DB create and a queue send each, well within an HTTP call.</summary>
    public const int MaxLimit = 1000;

    private const string Listing = "stripe-event-recovery";

    /// <summary>The seconds of a run's first listing window (<see cref="PendingAsync"/>).</summary>
    private const long FirstWindowSeconds = 60;

    private readonly string[] _types = [.. handlers.SelectMany(h => h.EventTypes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public async Task<Outcome<StripeEventRecoveryReport>> RecoverAsync(StripeEventRecoveryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var since = request.Since ?? now - LookBack;
        var errors = new ValidationErrors();
        var first = string.IsNullOrEmpty(request.Cursor); // a continuation's since was checked by the run that began the recovery
        if (first && since > now)
        {
            errors.Add("since", "Must not be in the future.");
        }
        else if (first && since < now - LookBack)
        {
            errors.Add("since", "Stripe lists the events of the last 30 days only: give a time within them, or none for all 30 days.");
        }

        // A cursor is sent with the same since, all and dry run as the run that handed it out (the types are this build's):
        // another all would page another listing, and a dry run's cursor would skip in a real run the events it did not store.
        (string, string?)[] filters =
            [("since", request.Since?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)), ("all", request.IncludeDelivered ? "true" : null), ("dryRun", request.DryRun ? "true" : null), ("types", string.Join(',', _types))];
        var after = Paging.After(Listing, request.Cursor, errors, p => Position.Parse(p) is { } position && position.Within(request.Since, now), filters) is { } cursor
            ? Position.Parse(cursor)
            : null;
        var limit = Paging.Size(request.Limit, DefaultLimit, MaxLimit, errors);
        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<StripeEventRecoveryReport>(errors);
        }

        // Stripe keeps 30 days: a continuation lists from its last event's second, never from before what Stripe keeps.
        var from = after is { } last ? Math.Max(last.Created, (now - LookBack).ToUnixTimeSeconds()) : since.ToUnixTimeSeconds();
        // Only the seconds that have ended: an event Stripe creates later in the current second could sort before a cursor
        // handed out in it, and would never be taken.
        var pending = await PendingAsync(from, now.ToUnixTimeSeconds() - 1, after, limit!.Value, !request.IncludeDelivered, cancellationToken).ConfigureAwait(false);
        var batch = pending.Take(limit.Value).ToList();
        var recovered = new List<RecoveredStripeEvent>(batch.Count);
        foreach (var (stripeEvent, _) in batch)
        {
            recovered.Add(await RecoverAsync(stripeEvent, request.DryRun, cancellationToken).ConfigureAwait(false));
        }

        var next = pending.Count > batch.Count ? Paging.Next(Listing, batch[^1].Position.ToString(), filters) : null;
        var report = new StripeEventRecoveryReport(since, request.IncludeDelivered, request.DryRun, recovered, next);
        var (queued, duplicates, skipped) = (report.Count(StripeEventRecoveryOutcome.Queued), report.Count(StripeEventRecoveryOutcome.Duplicate), report.Count(StripeEventRecoveryOutcome.Skipped));
        LogRecovered(since, request.IncludeDelivered, request.DryRun, recovered.Count, queued, duplicates, skipped, pending.Count - batch.Count);
        return Outcome.Succeeded(report);
    }

    /// <summary>
    /// The events after <paramref name="after"/>, in order, of the oldest windows of seconds from <paramref name="from"/>
    /// that together hold more than <paramref name="limit"/> of them, or of every second to <paramref name="last"/>. Stripe
    /// lists newest first, so a window is read whole to know its oldest: a window read whole is followed by one twice as
    /// long, one that holds more than the batch still needs is read no further and halved, down to one second, read whole
    /// whatever it holds. So a run reads about the events it takes, not the backlog behind them.
    /// </summary>
    private async Task<List<(NewStripeEvent Event, Position Position)>> PendingAsync(long from, long last, Position? after, int limit, bool undeliveredOnly, CancellationToken cancellationToken)
    {
        var pending = new List<(NewStripeEvent Event, Position Position)>();
        var seconds = FirstWindowSeconds;
        while (from <= last && pending.Count <= limit)
        {
            var until = Math.Min(from + seconds - 1, last);
            var listed = await source.ListAsync(
                DateTimeOffset.FromUnixTimeSeconds(from), DateTimeOffset.FromUnixTimeSeconds(until), _types, undeliveredOnly, until == from ? int.MaxValue : limit + 1 - pending.Count, cancellationToken).ConfigureAwait(false);
            if (listed is null)
            {
                seconds = (until - from + 1) / 2;
                continue;
            }

            pending.AddRange(listed.Select(e => (e, Position.Of(e))).Where(e => after is null || e.Item2.CompareTo(after.Value) > 0));
            from = until + 1;
            seconds *= 2;
        }

        pending.Sort((a, b) => a.Position.CompareTo(b.Position));
        return pending;
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

    /// <summary>Where an event stands in a recovery's order: its second (Stripe's resolution), then its id (ordinal).</summary>
    private readonly partial record struct Position(long Created, string Id) : IComparable<Position>
    {
        public static Position Of(NewStripeEvent stripeEvent) => new(stripeEvent.Created.ToUnixTimeSeconds(), stripeEvent.Id);

        /// <summary>"{created}:{id}" as <see cref="ToString"/> writes it, or null.</summary>
        public static Position? Parse(string text)
        {
            var parts = text.Split(':', 2);
            return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var created) && EventId().IsMatch(parts[1])
                ? new Position(created, parts[1])
                : null;
        }

        /// <summary>Taken by a run of this window: not before its since, not in the future.</summary>
        public bool Within(DateTimeOffset? since, DateTimeOffset now) => Created >= (since?.ToUnixTimeSeconds() ?? 0) && Created <= now.ToUnixTimeSeconds();

        public int CompareTo(Position other) => Created != other.Created ? Created.CompareTo(other.Created) : string.CompareOrdinal(Id, other.Id);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Created}:{Id}");

        [GeneratedRegex(@"^[A-Za-z0-9_]{1,255}\z")]
        private static partial Regex EventId();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({EventType}) listed for recovery was skipped: {Reason}")]
    private partial void LogSkipped(string eventId, string eventType, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event recovery since {Since} (delivered ones too: {IncludeDelivered}, dry run: {DryRun}): {Listed} listed, {Queued} queued, {Duplicates} duplicates, {Skipped} skipped, {Remaining} left for the next run")]
    private partial void LogRecovered(DateTimeOffset since, bool includeDelivered, bool dryRun, int listed, int queued, int duplicates, int skipped, int remaining);
}
