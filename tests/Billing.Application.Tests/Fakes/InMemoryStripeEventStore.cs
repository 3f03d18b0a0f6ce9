using System.Collections.Concurrent;
using Billing.Application.StripeEvents;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Fakes;

/// <summary>The event store's contract in memory: create-once by id, transitions refused once Applied or Ignored.</summary>
internal sealed class InMemoryStripeEventStore(TimeProvider time) : IStripeEventStore
{
    private readonly ConcurrentDictionary<string, StripeEventRecord> _events = new(StringComparer.Ordinal);

    public int Adds { get; private set; }

    public IReadOnlyCollection<StripeEventRecord> All => [.. _events.Values];

    public Task<StripeEventAddResult> TryAddAsync(NewStripeEvent stripeEvent, CancellationToken cancellationToken)
    {
        var record = new StripeEventRecord
        {
            Id = stripeEvent.Id,
            Type = stripeEvent.Type,
            Created = stripeEvent.Created,
            Livemode = stripeEvent.Livemode,
            ApiVersion = stripeEvent.ApiVersion,
            Payload = stripeEvent.Payload,
            Status = StripeEventStatus.Received,
            ReceivedAt = time.GetUtcNow(),
        };
        if (_events.TryAdd(stripeEvent.Id, record))
        {
            Adds++;
            return Task.FromResult(new StripeEventAddResult(StripeEventAddOutcome.Added, record));
        }

        return Task.FromResult(new StripeEventAddResult(StripeEventAddOutcome.Duplicate, _events[stripeEvent.Id]));
    }

    public Task<StripeEventRecord?> GetAsync(string eventId, CancellationToken cancellationToken) =>
        Task.FromResult(_events.GetValueOrDefault(eventId));

    public Task<StripeEventTransitionResult> TryBeginProcessingAsync(string eventId, CancellationToken cancellationToken) =>
        Transition(eventId, r => r with { Status = StripeEventStatus.Processing, Attempts = r.Attempts + 1, LastAttemptAt = time.GetUtcNow() });

    public Task<StripeEventTransitionResult> MarkAppliedAsync(string eventId, AccountId? accountId, CancellationToken cancellationToken) =>
        Transition(eventId, r => r with { Status = StripeEventStatus.Applied, CompletedAt = time.GetUtcNow(), AccountId = accountId ?? r.AccountId });

    public Task<StripeEventTransitionResult> MarkIgnoredAsync(string eventId, AccountId? accountId, string reason, CancellationToken cancellationToken) =>
        Transition(eventId, r => r with { Status = StripeEventStatus.Ignored, CompletedAt = time.GetUtcNow(), AccountId = accountId ?? r.AccountId, Note = reason });

    public Task<StripeEventTransitionResult> MarkLivemodeMismatchAsync(string eventId, string reason, CancellationToken cancellationToken) =>
        Transition(eventId, r => r with { Status = StripeEventStatus.IgnoredLivemodeMismatch, CompletedAt = time.GetUtcNow(), Note = reason });

    public Task<StripeEventTransitionResult> MarkFailedAsync(string eventId, string failure, CancellationToken cancellationToken) =>
        Transition(eventId, r => r with { Status = StripeEventStatus.Failed, Note = failure });

    public StripeEventRecord Get(string eventId) => _events[eventId];

    private Task<StripeEventTransitionResult> Transition(string eventId, Func<StripeEventRecord, StripeEventRecord> change)
    {
        while (true)
        {
            if (!_events.TryGetValue(eventId, out var current))
            {
                return Task.FromResult(new StripeEventTransitionResult(StripeEventTransitionOutcome.NotFound, null));
            }

            if (current.Status.IsFinal())
            {
                return Task.FromResult(new StripeEventTransitionResult(StripeEventTransitionOutcome.AlreadyFinal, current));
            }

            var changed = change(current);
            if (_events.TryUpdate(eventId, changed, current))
            {
                return Task.FromResult(new StripeEventTransitionResult(StripeEventTransitionOutcome.Changed, changed));
            }
        }
    }
}
