using System.Collections.Concurrent;
using Billing.Application.StripeEvents;
using Billing.Domain.Accounts;

namespace Billing.Infrastructure.Tests.Support;

/// <summary>Only what the poison listing reads: <see cref="GetAsync"/>.</summary>
internal sealed class InMemoryEventStore : IStripeEventStore
{
    public ConcurrentDictionary<string, StripeEventRecord> Records { get; } = new(StringComparer.Ordinal);

    public Task<StripeEventRecord?> GetAsync(string eventId, CancellationToken cancellationToken) =>
        Task.FromResult(Records.TryGetValue(eventId, out var record) ? record : null);

    public Task<StripeEventAddResult> TryAddAsync(NewStripeEvent stripeEvent, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<StripeEventTransitionResult> TryBeginProcessingAsync(string eventId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<StripeEventTransitionResult> MarkAppliedAsync(string eventId, AccountId? accountId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<StripeEventTransitionResult> MarkIgnoredAsync(string eventId, AccountId? accountId, string reason, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task CopyToAccountHistoryAsync(StripeEventRecord finalEvent, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<StripeEventTransitionResult> MarkFailedAsync(string eventId, string failure, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<StripeEventTransitionResult> MarkLivemodeMismatchAsync(string eventId, string reason, CancellationToken cancellationToken) => throw new NotSupportedException();
}
