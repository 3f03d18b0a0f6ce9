namespace Billing.Infrastructure.StripeApi.Webhooks;

/// <summary>Outcome of checking a <c>Stripe-Signature</c> header against a raw body.</summary>
public readonly record struct WebhookVerificationResult
{
    public WebhookVerificationResult(WebhookVerificationFailure failure, DateTimeOffset? timestamp, bool timestampIsCurrent = false)
    {
        Failure = failure;
        Timestamp = timestamp;
        TimestampIsCurrent = timestampIsCurrent;
    }

    public WebhookVerificationFailure Failure { get; }

    /// <summary>The signed timestamp (<c>t=</c>) when the header had one.</summary>
    public DateTimeOffset? Timestamp { get; }

    /// <summary>
    /// The signed timestamp is within the tolerance of now. With <see cref="WebhookVerificationFailure.NoMatchingSignature"/>
    /// that is what Stripe sends when the endpoint's secret is not a configured one or the body changed on the way.
    /// </summary>
    public bool TimestampIsCurrent { get; }

    public bool IsValid => Failure == WebhookVerificationFailure.None;

    /// <summary>A human-readable reason, fit for a log line or a 400 answer.</summary>
    public string Reason => WebhookFailureReasons.Describe(Failure);
}
