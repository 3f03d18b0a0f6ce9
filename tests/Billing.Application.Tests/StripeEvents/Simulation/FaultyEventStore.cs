using Billing.Application.StripeEvents;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.StripeEvents.Simulation;

internal sealed class FaultyEventStore(IStripeEventStore inner, FaultPlan plan) : IStripeEventStore
{
    public Task<StripeEventAddResult> TryAddAsync(NewStripeEvent stripeEvent, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.add", () => inner.TryAddAsync(stripeEvent, cancellationToken));

    public Task<StripeEventRecord?> GetAsync(string eventId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.get", () => inner.GetAsync(eventId, cancellationToken));

    public Task<StripeEventTransitionResult> TryBeginProcessingAsync(string eventId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.begin", () => inner.TryBeginProcessingAsync(eventId, cancellationToken));

    public Task<StripeEventTransitionResult> MarkAppliedAsync(string eventId, AccountId? accountId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.applied", () => inner.MarkAppliedAsync(eventId, accountId, cancellationToken));

    public Task<StripeEventTransitionResult> MarkIgnoredAsync(string eventId, AccountId? accountId, string reason, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.ignored", () => inner.MarkIgnoredAsync(eventId, accountId, reason, cancellationToken));

    public Task CopyToAccountHistoryAsync(StripeEventRecord finalEvent, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.copy", async () =>
        {
            await inner.CopyToAccountHistoryAsync(finalEvent, cancellationToken);
            return true;
        });

    public Task<StripeEventTransitionResult> MarkLivemodeMismatchAsync(string eventId, string reason, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.livemodeMismatch", () => inner.MarkLivemodeMismatchAsync(eventId, reason, cancellationToken));

    public Task<StripeEventTransitionResult> MarkFailedAsync(string eventId, string failure, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.failed", () => inner.MarkFailedAsync(eventId, failure, cancellationToken));
}
