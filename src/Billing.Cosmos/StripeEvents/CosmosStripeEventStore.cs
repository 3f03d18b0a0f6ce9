using System.Net;
using Billing.Application.StripeEvents;
using Billing.Cosmos.Admin;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Logging;
using Billing.Domain;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;

namespace Billing.Cosmos.StripeEvents;

/// <summary>
/// Stripe events in the stripe-events container. Adding is a create: a 409 is a duplicate delivery, detected
/// atomically by the server. Status changes are patches conditioned on the event not being final, so a late or
/// repeated worker never overwrites Applied, Ignored or IgnoredLivemodeMismatch. An event applied or ignored for an
/// account is also copied into that account's history (<see cref="CosmosStripeEventHistory"/>).
/// </summary>
public sealed class CosmosStripeEventStore(
    BillingContainers containers,
    CosmosStripeEventHistory history,
    TimeProvider time,
    ILogger<CosmosStripeEventStore> logger) : IStripeEventStore
{
    public const int MaxNoteLength = 1000;

    /// <summary>"Not final" (lower-case names and literals, as the local server needs).</summary>
    internal const string NotFinalPredicate = "FROM c WHERE c.status != 'applied' AND c.status != 'ignored' AND c.status != 'ignored_livemode_mismatch'";

    /// <summary>An event that is not final never expires: it may wait in poison for an operator's replay.</summary>
    internal const int KeptUntilFinal = -1;

    /// <summary>A final event expires with the accounts' event history, counted from its completion.</summary>
    internal static readonly int RetentionWhenFinal = (int)CosmosStripeEventHistory.Retention.TotalSeconds;

    private Container Container => containers.StripeEvents;

    public async Task<StripeEventAddResult> TryAddAsync(NewStripeEvent stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        StripeIds.EnsureValid(stripeEvent.Id, nameof(stripeEvent));
        var document = new StripeEventDocument
        {
            Id = stripeEvent.Id,
            Type = DocumentTypes.StripeEvent,
            SchemaVersion = DocumentTypes.StripeEventSchemaVersion,
            EventType = stripeEvent.Type,
            StripeCreatedAt = stripeEvent.Created,
            Livemode = stripeEvent.Livemode,
            ApiVersion = stripeEvent.ApiVersion,
            Status = StripeEventStatus.Received,
            Attempts = 0,
            ReceivedAt = time.GetUtcNow(),
            Payload = stripeEvent.Payload,
            Ttl = KeptUntilFinal,
        };
        var partitionKey = new PartitionKey(stripeEvent.Id);
        var created = await Container.CreateAsync(document, partitionKey, cancellationToken).ConfigureAwait(false);
        if (created.Status == HttpStatusCode.Created)
        {
            return new StripeEventAddResult(StripeEventAddOutcome.Added, ToRecord(created.Document!));
        }

        var existing = await Container.ReadAsync<StripeEventDocument>(stripeEvent.Id, partitionKey, cancellationToken).ConfigureAwait(false)
                       ?? throw new InvalidOperationException($"Stripe event '{stripeEvent.Id}' conflicted on create but cannot be read.");
        CosmosLog.DuplicateStripeEvent(logger, existing.Id, existing.EventType, existing.Status);
        return new StripeEventAddResult(StripeEventAddOutcome.Duplicate, ToRecord(existing));
    }

    public async Task<StripeEventRecord?> GetAsync(string eventId, CancellationToken cancellationToken)
    {
        if (!StripeIds.IsValid(eventId))
        {
            return null;
        }

        var document = await Container.ReadAsync<StripeEventDocument>(eventId, new PartitionKey(eventId), cancellationToken).ConfigureAwait(false);
        return document is null ? null : ToRecord(document);
    }

    public Task<StripeEventTransitionResult> TryBeginProcessingAsync(string eventId, CancellationToken cancellationToken) =>
        TransitionAsync(
            eventId,
            [
                PatchOperation.Set("/status", StatusValue(StripeEventStatus.Processing)),
                PatchOperation.Increment("/attempts", 1),
                PatchOperation.Set("/lastAttemptAt", time.GetUtcNow()),
            ],
            cancellationToken);

    public Task<StripeEventTransitionResult> MarkAppliedAsync(string eventId, AccountId? accountId, CancellationToken cancellationToken) =>
        CompleteAsync(eventId, Completion(StripeEventStatus.Applied, accountId, note: null), cancellationToken);

    public Task<StripeEventTransitionResult> MarkIgnoredAsync(string eventId, AccountId? accountId, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return CompleteAsync(eventId, Completion(StripeEventStatus.Ignored, accountId, reason), cancellationToken);
    }

    public Task CopyToAccountHistoryAsync(StripeEventRecord finalEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finalEvent);
        if (!finalEvent.Status.IsFinal())
        {
            throw new ArgumentException($"Stripe event {finalEvent.Id} is {finalEvent.Status}; only a final event is copied to its account's history.", nameof(finalEvent));
        }

        return history.RecordAsync(finalEvent, cancellationToken);
    }

    public Task<StripeEventTransitionResult> MarkLivemodeMismatchAsync(string eventId, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return TransitionAsync(eventId, Completion(StripeEventStatus.IgnoredLivemodeMismatch, accountId: null, reason), cancellationToken);
    }

    public Task<StripeEventTransitionResult> MarkFailedAsync(string eventId, string failure, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(failure);
        return TransitionAsync(
            eventId,
            [
                PatchOperation.Set("/status", StatusValue(StripeEventStatus.Failed)),
                PatchOperation.Set("/note", WholeCharacters.Prefix(failure, MaxNoteLength)),
            ],
            cancellationToken);
    }

    internal static string StatusValue(StripeEventStatus status) => status switch
    {
        StripeEventStatus.Received => "received",
        StripeEventStatus.Processing => "processing",
        StripeEventStatus.Applied => "applied",
        StripeEventStatus.Ignored => "ignored",
        StripeEventStatus.Failed => "failed",
        StripeEventStatus.IgnoredLivemodeMismatch => "ignored_livemode_mismatch",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown status."),
    };

    private PatchOperation[] Completion(StripeEventStatus status, AccountId? accountId, string? note)
    {
        var operations = new List<PatchOperation>
        {
            PatchOperation.Set("/status", StatusValue(status)),
            PatchOperation.Set("/completedAt", time.GetUtcNow()),
            PatchOperation.Set("/ttl", RetentionWhenFinal),
        };
        if (accountId is { } id)
        {
            operations.Add(PatchOperation.Set("/accountId", id.Value));
        }

        if (note is not null)
        {
            operations.Add(PatchOperation.Set("/note", WholeCharacters.Prefix(note, MaxNoteLength)));
        }

        return [.. operations];
    }

    /// <summary>
    /// A final transition; when it changed the event and the event has an account, the account's history gets it. Should
    /// the process stop, or the copy fail (thrown), after the patch, the redelivery finds the event final and the
    /// processor has the copy written again (<see cref="CopyToAccountHistoryAsync"/>).
    /// </summary>
    private async Task<StripeEventTransitionResult> CompleteAsync(string eventId, PatchOperation[] operations, CancellationToken cancellationToken)
    {
        var result = await TransitionAsync(eventId, operations, cancellationToken).ConfigureAwait(false);
        if (result is { Outcome: StripeEventTransitionOutcome.Changed, Record: { } record })
        {
            await history.RecordAsync(record, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<StripeEventTransitionResult> TransitionAsync(string eventId, PatchOperation[] operations, CancellationToken cancellationToken)
    {
        if (!StripeIds.IsValid(eventId))
        {
            return new StripeEventTransitionResult(StripeEventTransitionOutcome.NotFound, null);
        }

        var partitionKey = new PartitionKey(eventId);
        var patched = await Container.PatchAsync<StripeEventDocument>(eventId, partitionKey, operations, NotFinalPredicate, cancellationToken).ConfigureAwait(false);
        switch (patched.Status)
        {
            case HttpStatusCode.OK:
                return new StripeEventTransitionResult(StripeEventTransitionOutcome.Changed, ToRecord(patched.Document!));
            case HttpStatusCode.NotFound:
                return new StripeEventTransitionResult(StripeEventTransitionOutcome.NotFound, null);
            default:
                var current = await Container.ReadAsync<StripeEventDocument>(eventId, partitionKey, cancellationToken).ConfigureAwait(false);
                return current is null
                    ? new StripeEventTransitionResult(StripeEventTransitionOutcome.NotFound, null)
                    : new StripeEventTransitionResult(StripeEventTransitionOutcome.AlreadyFinal, ToRecord(current));
        }
    }

    private static StripeEventRecord ToRecord(StripeEventDocument document) => new()
    {
        Id = document.Id,
        Type = document.EventType,
        Created = document.StripeCreatedAt,
        Livemode = document.Livemode,
        ApiVersion = document.ApiVersion,
        Payload = document.Payload,
        Status = document.Status,
        Attempts = document.Attempts,
        ReceivedAt = document.ReceivedAt,
        LastAttemptAt = document.LastAttemptAt,
        CompletedAt = document.CompletedAt,
        AccountId = document.AccountId is null ? null : AccountId.Parse(document.AccountId),
        Note = document.Note,
    };
}
