namespace Billing.StripeEmulator.Webhooks;

/// <summary>A destination for events: from configuration, or registered at run time.</summary>
internal sealed record WebhookEndpoint(string Id, Uri Url, string Secret, bool FromConfiguration);
