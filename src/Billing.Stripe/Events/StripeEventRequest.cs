namespace Billing.Stripe.Events;

/// <summary><c>event.request</c>: the request id and the idempotency key it was sent with.</summary>
public sealed record StripeEventRequest
{
    public string? Id { get; init; }

    public string? IdempotencyKey { get; init; }
}
