using System.Diagnostics;
using Billing.Application.Invoicing;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Infrastructure.Tests.StripeApi;

/// <summary>The budget as the app registers it, against the emulator: a behaviour with generous bounds, not a tight timing.</summary>
[Collection(SharedStripeEmulator.Name)]
public sealed class StripeRequestBudgetEmulatorTests(StripeEmulatorFixture fixture)
{
    [Fact]
    public async Task At_5_requests_per_second_20_concurrent_Stripe_calls_take_at_least_3_seconds()
    {
        var customer = await fixture.CustomerAsync("budget-account");
        var services = fixture.BuildServices(requestsPerSecond: 5);
        var invoicing = services.GetRequiredService<IStripeInvoicing>();
        await invoicing.FindInvoiceAsync(customer, "warm-up", DateTimeOffset.UnixEpoch, CancellationToken.None); // connection set up; spends the burst
        await Task.Delay(TimeSpan.FromSeconds(1)); // the bucket refills (a burst of 1 at 5 per second)
        var started = Stopwatch.GetTimestamp();

        var found = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => invoicing.FindInvoiceAsync(customer, $"run-{i}", DateTimeOffset.UnixEpoch, CancellationToken.None)));

        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.All(found, Assert.Null);
        Assert.True(elapsed >= TimeSpan.FromSeconds(3), $"20 requests at 5 per second took {elapsed}.");
        Assert.True(elapsed < TimeSpan.FromSeconds(60), $"20 requests at 5 per second took {elapsed}.");
    }
}
