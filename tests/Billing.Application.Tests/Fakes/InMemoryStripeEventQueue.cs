using System.Globalization;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// A queue of event references: messages stay until taken or deleted; each remembers how often it was delivered.
/// Messages are visible at once whatever the initial invisibility asked (a harsher schedule than the real queue's).
/// </summary>
internal sealed class InMemoryStripeEventQueue : IStripeEventQueueWriter
{
    private int _nextId;

    public List<QueuedMessage> Messages { get; } = [];

    public int Sent { get; private set; }

    public int Deleted { get; private set; }

    /// <summary>The initial invisibility of the last message sent.</summary>
    public TimeSpan? LastInvisibility { get; private set; }

    public Task<StripeEventQueueReceipt> EnqueueAsync(StripeEventQueueMessage message, TimeSpan initialInvisibility, CancellationToken cancellationToken)
    {
        var id = (++_nextId).ToString(CultureInfo.InvariantCulture);
        Messages.Add(new QueuedMessage(message.ToJson(), id));
        Sent++;
        LastInvisibility = initialInvisibility;
        return Task.FromResult(new StripeEventQueueReceipt(id, "pop-" + id));
    }

    public Task<bool> DeleteAsync(StripeEventQueueReceipt receipt, CancellationToken cancellationToken)
    {
        var removed = Messages.RemoveAll(m => m.Id == receipt.MessageId) > 0;
        Deleted += removed ? 1 : 0;
        return Task.FromResult(removed);
    }

    internal sealed class QueuedMessage(string text, string id = "")
    {
        public string Text { get; } = text;

        public string Id { get; } = id;

        public long DequeueCount { get; set; }
    }
}
