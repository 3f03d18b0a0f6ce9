namespace Billing.Stripe.Errors;

/// <summary>Known values of <see cref="StripeError.Type"/>; Stripe may add others.</summary>
public static class StripeErrorTypes
{
    public const string ApiError = "api_error";
    public const string CardError = "card_error";
    public const string IdempotencyError = "idempotency_error";
    public const string InvalidRequestError = "invalid_request_error";
}
