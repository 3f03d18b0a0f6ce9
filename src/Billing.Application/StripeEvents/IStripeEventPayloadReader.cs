namespace Billing.Application.StripeEvents;

/// <summary>Reads the facts the processor needs from a stored event's raw JSON payload.</summary>
public interface IStripeEventPayloadReader
{
    /// <exception cref="MalformedStripeEventException">The payload is not a readable Stripe event.</exception>
    StripeEventPayload Read(string payload);
}
