namespace Billing.Stripe.Errors;

/// <summary>Stripe's answer could not be understood: an error body that is not JSON or has no <c>error</c>,
/// or a success body that does not parse. <see cref="RawBody"/> holds what was received.</summary>
public sealed class StripeInvalidResponseException : StripeException
{
    public StripeInvalidResponseException()
    {
    }

    public StripeInvalidResponseException(string message)
        : base(message)
    {
    }

    public StripeInvalidResponseException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public string? RawBody { get; init; }
}
