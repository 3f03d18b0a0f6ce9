using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.State;

/// <summary>Receives committed events in creation order (the webhook dispatcher).</summary>
internal interface IEventSink
{
    /// <summary>Called under the store's lock: must not block.</summary>
    void Publish(IReadOnlyList<EventRecord> events);
}
