namespace Billing.Stripe.Errors;

/// <summary>Stripe answered with a non-2xx status and a well-formed <c>{"error": {...}}</c> body.</summary>
public sealed class StripeApiException : StripeException
{
    public StripeApiException()
    {
    }

    public StripeApiException(string message)
        : base(message)
    {
    }

    public StripeApiException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public StripeError Error { get; init; } = new();

    public string? ErrorType => Error.Type;

    public string? Code => Error.Code;

    public string? DeclineCode => Error.DeclineCode;

    public string? Param => Error.Param;

    public string? DocUrl => Error.DocUrl;
}
