namespace Billing.Application.StripeEvents;

/// <summary>
/// A queue message names an event the store does not hold (yet). The ingest writes the event and sends the message
/// concurrently, the message invisible for a moment, so the create has almost always committed first; when it has not,
/// this failure makes the host retry. A message whose event was never stored fails every attempt and ends in the
/// poison queue for inspection.
/// </summary>
public sealed class StripeEventNotStoredException : Exception
{
    public StripeEventNotStoredException()
    {
    }

    public StripeEventNotStoredException(string message)
        : base(message)
    {
    }

    public StripeEventNotStoredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public static StripeEventNotStoredException For(string eventId) =>
        new($"Stripe event '{eventId}' is not in the event store; the message cannot be processed.") { EventId = eventId };

    public string? EventId { get; private init; }
}
