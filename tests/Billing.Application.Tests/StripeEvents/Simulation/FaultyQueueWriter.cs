using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;

namespace Billing.Application.Tests.StripeEvents.Simulation;

internal sealed class FaultyQueueWriter(IStripeEventQueueWriter inner, FaultPlan plan) : IStripeEventQueueWriter
{
    public Task<StripeEventQueueReceipt> EnqueueAsync(StripeEventQueueMessage message, TimeSpan initialInvisibility, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "queue.send", () => inner.EnqueueAsync(message, initialInvisibility, cancellationToken));

    public Task<bool> DeleteAsync(StripeEventQueueReceipt receipt, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "queue.delete", () => inner.DeleteAsync(receipt, cancellationToken));
}
