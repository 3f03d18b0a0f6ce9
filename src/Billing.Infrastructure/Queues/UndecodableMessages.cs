using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// Messages a peek or a receive could not decode from base64: the Functions host moves such a message to the poison
/// queue as it was (it cannot decode it either), so the poison queue's operator tools must see it rather than fail on
/// it. Without a <see cref="QueueClientOptions.MessageDecodingFailed"/> handler the client throws a
/// <see cref="FormatException"/> for the whole page; with <see cref="Handle"/> (installed by
/// <see cref="QueueServiceFactory.ClientOptions"/>) the page comes back without them, and a caller that opened
/// <see cref="Collect"/> around its peek or receive gets them here with their raw bodies (a received one with its pop
/// receipt). Nothing is collected outside such a scope: the message is left in its queue.
/// </summary>
internal static class UndecodableMessages
{
    private static readonly AsyncLocal<Collector?> Current = new();

    /// <summary>Collects the undecodable messages of the peeks and receives awaited until the scope is disposed.</summary>
    public static Collector Collect() => Current.Value = new Collector();

    public static Task Handle(QueueMessageDecodingFailedEventArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (Current.Value is { } collector)
        {
            if (args.ReceivedMessage is { } received)
            {
                collector.Received.Add(received);
            }

            if (args.PeekedMessage is { } peeked)
            {
                collector.Peeked.Add(peeked);
            }
        }

        return Task.CompletedTask;
    }

    internal sealed class Collector : IDisposable
    {
        public List<QueueMessage> Received { get; } = [];

        public List<PeekedMessage> Peeked { get; } = [];

        public void Dispose()
        {
            if (ReferenceEquals(Current.Value, this))
            {
                Current.Value = null;
            }
        }
    }
}
