using Billing.EndToEnd.Tests.Support;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>One app for the ingest tests; no Stripe emulator (none of their events needs Stripe).</summary>
public sealed class IngestStackFixture : IAsyncLifetime
{
    internal WebhookStack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await WebhookStack.StartAsync(emulator: false);

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}
