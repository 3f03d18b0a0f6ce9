namespace Billing.Stripe;

/// <summary>Per-call options.</summary>
public sealed record StripeRequestOptions
{
    /// <summary>The <c>Idempotency-Key</c> for a POST. Derive it from the business operation
    /// (e.g. <c>invoice:{customer}:{period}:create</c>) so a re-run reuses it; when null a random key is generated
    /// once per call and reused across that call's retries. Ignored for GET and DELETE.</summary>
    public string? IdempotencyKey { get; init; }
}
