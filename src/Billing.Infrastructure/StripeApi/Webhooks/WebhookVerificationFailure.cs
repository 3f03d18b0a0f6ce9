namespace Billing.Infrastructure.StripeApi.Webhooks;

/// <summary>Why a webhook request was rejected.</summary>
public enum WebhookVerificationFailure
{
    /// <summary>Not a failure: the request is authentic.</summary>
    None = 0,

    /// <summary>No <c>Stripe-Signature</c> header (or an empty one).</summary>
    MissingHeader,

    /// <summary>The header has no valid <c>t=</c> timestamp or no <c>v1=</c> signature.</summary>
    MalformedHeader,

    /// <summary>No <c>v1</c> signature matches the body under any configured secret.</summary>
    NoMatchingSignature,

    /// <summary>The signature matches but its timestamp is too old or too far in the future (possible replay).</summary>
    TimestampOutsideTolerance,
}
