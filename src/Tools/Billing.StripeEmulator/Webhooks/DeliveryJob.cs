using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Webhooks;

/// <summary>One delivery of one event to one endpoint; retries are new jobs with the next attempt number.</summary>
internal sealed record DeliveryJob(EventRecord Event, WebhookEndpoint Endpoint, int Attempt, long Generation, DeliveryKind Kind);
