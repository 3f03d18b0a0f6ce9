namespace Billing.StripeEmulator.Wire;

/// <summary>A Stripe-shaped API error: thrown by handlers, written as `{"error": {...}}` by the pipeline.</summary>
internal sealed class StripeApiException : Exception
{
    public StripeApiException()
        : this(500, ErrorTypes.Api, "An unknown error occurred.")
    {
    }

    public StripeApiException(string message)
        : this(400, ErrorTypes.InvalidRequest, message)
    {
    }

    public StripeApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 500;
        Type = ErrorTypes.Api;
    }

    public StripeApiException(int statusCode, string type, string message, string? code = null, string? param = null, string? declineCode = null)
        : base(message)
    {
        StatusCode = statusCode;
        Type = type;
        Code = code;
        Param = param;
        DeclineCode = declineCode;
    }

    public int StatusCode { get; }

    public string Type { get; }

    public string? Code { get; }

    public string? Param { get; }

    public string? DeclineCode { get; }

    /// <summary>Value of the `Stripe-Should-Retry` header, when Stripe sends one for this error.</summary>
    public bool? ShouldRetry { get; init; }

    public static StripeApiException InvalidRequest(string message, string? param, string? code = null) =>
        new(400, ErrorTypes.InvalidRequest, message, code, param);

    public static StripeApiException ParameterMissing(string param) =>
        new(400, ErrorTypes.InvalidRequest, $"Missing required param: {param}.", "parameter_missing", param);

    public static StripeApiException ParameterUnknown(string param) =>
        new(400, ErrorTypes.InvalidRequest, $"Received unknown parameter: {param}", "parameter_unknown", param);

    /// <summary>
    /// A parameter Stripe takes that the emulator does not model: refused as Stripe refuses one it does not know (400
    /// `parameter_unknown` naming it), never ignored, so a test cannot pass where Stripe would behave otherwise.
    /// </summary>
    public static StripeApiException NotModelled(string param) =>
        new(400, ErrorTypes.InvalidRequest, $"Received unknown parameter: {param}. Stripe takes it, but the Stripe emulator does not model it, so it refuses it rather than ignore it (see docs/stripe-emulator.md).", "parameter_unknown", param);

    /// <summary>A value of a parameter the emulator models for some values only (Stripe's default among them): refused, never ignored.</summary>
    public static StripeApiException NotModelledValue(string param, string value, IEnumerable<string> modelled) =>
        new(400, ErrorTypes.InvalidRequest, $"Invalid {param}: the Stripe emulator models {string.Join(", ", modelled.Select(v => v.Length == 0 ? "an empty value" : v))} only, and refuses '{value}' rather than ignore it (see docs/stripe-emulator.md).", "parameter_invalid_string", param);

    public static StripeApiException ParameterInvalid(string param, string message, string code = "parameter_invalid_string") =>
        new(400, ErrorTypes.InvalidRequest, message, code, param);

    /// <summary>An id in the URL that does not exist: 404 with `param: id`.</summary>
    public static StripeApiException NoSuchObject(string kind, string id) =>
        new(404, ErrorTypes.InvalidRequest, $"No such {kind}: '{id}'", "resource_missing", "id");

    /// <summary>An id given as a parameter that does not exist: 400 naming that parameter.</summary>
    public static StripeApiException NoSuchReference(string kind, string id, string param) =>
        new(400, ErrorTypes.InvalidRequest, $"No such {kind}: '{id}'", "resource_missing", param);

    public static StripeApiException Idempotency(string message) =>
        new(400, ErrorTypes.Idempotency, message) { ShouldRetry = false };

    public static StripeApiException CardDeclined() =>
        new(402, ErrorTypes.Card, "Your card was declined.", "card_declined", null, "generic_decline");

    public static StripeApiException RequiresAction() =>
        new(402, ErrorTypes.Card, "This payment requires additional user action before it can be completed successfully. Payment can be completed using the PaymentIntent associated with the invoice.", "invoice_payment_intent_requires_action");
}
