using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;

namespace Billing.Application.Tests.StripeEvents.Simulation;

internal sealed class FaultyQueueWriter(IStripeEventQueueWriter inner, FaultPlan plan) : IStripeEventQueueWriter
{
    public Task EnqueueAsync(StripeEventQueueMessage message, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "queue.send", async () =>
        {
            await inner.EnqueueAsync(message, cancellationToken);
            return true;
        });
}
