namespace Billing.StripeEmulator.State;

/// <summary>The API request that caused a change, as events report it in `request{id, idempotency_key}`.</summary>
internal sealed record RequestInfo(string? Id, string? IdempotencyKey)
{
    /// <summary>Changes Stripe makes by itself (renewals, the clock, the hosted pages): `request.id` is null.</summary>
    public static RequestInfo Automatic { get; } = new(null, null);
}
