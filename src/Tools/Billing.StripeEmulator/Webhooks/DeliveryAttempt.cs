namespace Billing.StripeEmulator.Webhooks;

/// <summary>A recorded delivery attempt, shown by `GET /_emulator/events/{id}/deliveries`.</summary>
internal sealed record DeliveryAttempt(
    string EndpointId,
    string Url,
    int Attempt,
    string Kind,
    long AttemptedAt,
    int? StatusCode,
    string? Error,
    long DurationMs,
    bool Succeeded,
    long? NextRetryAt);
