using Billing.EndToEnd.Tests.Support;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>One app and one Stripe emulator (webhooks to the app) for the subscription lifecycle tests; each test has its own account and customer.</summary>
public sealed class LifecycleStackFixture : SharedStackFixture
{
    private protected override Task<WebhookStack> StartAsync() => WebhookStack.StartAsync();
}
