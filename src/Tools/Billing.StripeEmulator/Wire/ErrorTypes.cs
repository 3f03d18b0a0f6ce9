namespace Billing.StripeEmulator.Wire;

/// <summary>The `error.type` values of Stripe's API.</summary>
internal static class ErrorTypes
{
    public const string Api = "api_error";
    public const string Card = "card_error";
    public const string Idempotency = "idempotency_error";
    public const string InvalidRequest = "invalid_request_error";
}
