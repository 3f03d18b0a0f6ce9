namespace Billing.Stripe.Errors;

/// <summary>The <c>error</c> object of a Stripe error response.</summary>
public sealed record StripeError
{
    /// <summary>api_error, card_error, idempotency_error or invalid_request_error (see <see cref="StripeErrorTypes"/>).</summary>
    public string? Type { get; init; }

    public string? Code { get; init; }

    public string? DeclineCode { get; init; }

    public string? Param { get; init; }

    public string? Message { get; init; }

    public string? DocUrl { get; init; }
}
