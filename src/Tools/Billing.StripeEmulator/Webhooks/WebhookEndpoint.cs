namespace Billing.StripeEmulator.Webhooks;

/// <summary>A destination for events: from configuration, or registered at run time; events carry its `api_version`.</summary>
internal sealed record WebhookEndpoint(string Id, Uri Url, string Secret, bool FromConfiguration, string ApiVersion);
