using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;

namespace Billing.Application.Tests.Fakes;

/// <summary>A queue of event references: messages stay until taken; each remembers how often it was delivered.</summary>
internal sealed class InMemoryStripeEventQueue : IStripeEventQueueWriter
{
    public List<QueuedMessage> Messages { get; } = [];

    public int Sent { get; private set; }

    public Task EnqueueAsync(StripeEventQueueMessage message, CancellationToken cancellationToken)
    {
        Messages.Add(new QueuedMessage(message.ToJson()));
        Sent++;
        return Task.CompletedTask;
    }

    internal sealed class QueuedMessage(string text)
    {
        public string Text { get; } = text;

        public long DequeueCount { get; set; }
    }
}
