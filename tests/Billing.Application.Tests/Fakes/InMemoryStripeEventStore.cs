using System.Collections.Concurrent;
using Billing.Application.StripeEvents;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// The event store's contract in memory: create-once by id, transitions refused once Applied or Ignored, and the copy of
/// an event made final for an account in that account's history (<see cref="History"/>), written after the transition
/// as the Cosmos store writes it, so a test can fail it (<see cref="HistoryFailuresLeft"/>) with the event final, and
/// the record of a failure (<see cref="FailMarkFailedWith"/>).
/// </summary>
internal sealed class InMemoryStripeEventStore(TimeProvider time) : IStripeEventStore
{
    private readonly ConcurrentDictionary<string, StripeEventRecord> _events = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StripeEventRecord> _history = new(StringComparer.Ordinal);
    private int _historyWrites;
    private int _historyFailuresLeft;

    /// <summary>The accounts' history: the copy of each event made final for an account, by event id.</summary>
    public IReadOnlyDictionary<string, StripeEventRecord> History => _history;

    /// <summary>History writes attempted (failed ones included).</summary>
    public int HistoryWrites => Volatile.Read(ref _historyWrites);

    /// <summary>When set, <see cref="MarkFailedAsync"/> throws it and records nothing (the store unreachable as a failure is recorded).</summary>
    public Exception? FailMarkFailedWith { get; set; }

    /// <summary>The next this many history writes fail (after the event's own transition is stored).</summary>
    public int HistoryFailuresLeft
    {
        get => Volatile.Read(ref _historyFailuresLeft);
        set => Volatile.Write(ref _historyFailuresLeft, value);
    }

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

    /// <summary>Runs as a processing attempt begins, before its transition: what another writer does between a read and the begin.</summary>
    public Action<string>? BeforeBeginProcessing { get; set; }

    public Task<StripeEventTransitionResult> TryBeginProcessingAsync(string eventId, CancellationToken cancellationToken)
    {
        BeforeBeginProcessing?.Invoke(eventId);
        return Transition(eventId, r => r with { Status = StripeEventStatus.Processing, Attempts = r.Attempts + 1, LastAttemptAt = time.GetUtcNow() });
    }

    public Task<StripeEventTransitionResult> MarkAppliedAsync(string eventId, AccountId? accountId, CancellationToken cancellationToken) =>
        CompleteAsync(eventId, r => r with { Status = StripeEventStatus.Applied, CompletedAt = time.GetUtcNow(), AccountId = accountId ?? r.AccountId });

    public Task<StripeEventTransitionResult> MarkIgnoredAsync(string eventId, AccountId? accountId, string reason, CancellationToken cancellationToken) =>
        CompleteAsync(eventId, r => r with { Status = StripeEventStatus.Ignored, CompletedAt = time.GetUtcNow(), AccountId = accountId ?? r.AccountId, Note = reason });

    public Task CopyToAccountHistoryAsync(StripeEventRecord finalEvent, CancellationToken cancellationToken)
    {
        Assert.True(finalEvent.Status.IsFinal(), $"Only a final event is copied; {finalEvent.Id} is {finalEvent.Status}.");
        WriteHistory(finalEvent);
        return Task.CompletedTask;
    }

    public Task<StripeEventTransitionResult> MarkLivemodeMismatchAsync(string eventId, string reason, CancellationToken cancellationToken) =>
        Transition(eventId, r => r with { Status = StripeEventStatus.IgnoredLivemodeMismatch, CompletedAt = time.GetUtcNow(), Note = reason });

    public Task<StripeEventTransitionResult> MarkFailedAsync(string eventId, string failure, CancellationToken cancellationToken) =>
        FailMarkFailedWith is { } unreachable
            ? Task.FromException<StripeEventTransitionResult>(unreachable)
            : Transition(eventId, r => r with { Status = StripeEventStatus.Failed, Note = failure });

    public StripeEventRecord Get(string eventId) => _events[eventId];

    /// <summary>Deletes the event (as an operator may: an event not final has no time to live), leaving any history copy.</summary>
    public void Delete(string eventId) => _events.TryRemove(eventId, out _);

    private async Task<StripeEventTransitionResult> CompleteAsync(string eventId, Func<StripeEventRecord, StripeEventRecord> change)
    {
        var result = await Transition(eventId, change);
        if (result is { Outcome: StripeEventTransitionOutcome.Changed, Record: { } record })
        {
            WriteHistory(record);
        }

        return result;
    }

    private void WriteHistory(StripeEventRecord record)
    {
        if (record.AccountId is null)
        {
            return;
        }

        Interlocked.Increment(ref _historyWrites);
        if (Interlocked.Decrement(ref _historyFailuresLeft) >= 0)
        {
            throw new OperatorCopyNotWrittenException($"The history copy of {record.Id} was not written (injected).");
        }

        Interlocked.Exchange(ref _historyFailuresLeft, 0);
        _history[record.Id] = record;
    }

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
