namespace Billing.Infrastructure.StripeApi.Webhooks;

/// <summary>Fixed reason texts (no allocation per request).</summary>
internal static class WebhookFailureReasons
{
    public static string Describe(WebhookVerificationFailure failure) => failure switch
    {
        WebhookVerificationFailure.None => "Valid signature.",
        WebhookVerificationFailure.MissingHeader => "The Stripe-Signature header is missing.",
        WebhookVerificationFailure.MalformedHeader => "The Stripe-Signature header has no valid timestamp (t=) or no v1 signature.",
        WebhookVerificationFailure.NoMatchingSignature => "No v1 signature matches the payload for the configured signing secrets.",
        WebhookVerificationFailure.TimestampOutsideTolerance => "The signature timestamp is outside the tolerance window.",
        _ => "Unknown failure.",
    };
}
