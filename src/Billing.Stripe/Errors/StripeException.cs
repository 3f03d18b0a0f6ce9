using System.Net;

namespace Billing.Stripe.Errors;

/// <summary>Base of every failure the Stripe client reports (API error, invalid response, connection failure).</summary>
public abstract class StripeException : Exception
{
    protected StripeException()
    {
    }

    protected StripeException(string message)
        : base(message)
    {
    }

    protected StripeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>HTTP status of the response; null when no response was received.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>The <c>Request-Id</c> response header, to quote to Stripe support.</summary>
    public string? RequestId { get; init; }
}
