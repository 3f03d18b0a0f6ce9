using Billing.EndToEnd.Tests.Support;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>One app for the ingest tests; no Stripe emulator (none of their events needs Stripe).</summary>
public sealed class IngestStackFixture : SharedStackFixture
{
    private protected override Task<WebhookStack> StartAsync() => WebhookStack.StartAsync(emulator: false);
}
