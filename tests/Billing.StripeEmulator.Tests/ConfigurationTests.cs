using Billing.StripeEmulator.Tests.Infrastructure;
using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public async Task Invalid_configuration_stops_start_up_with_the_keys_named()
    {
        await using var process = EmulatorLauncher.StartExpectingFailure(new Dictionary<string, string?>
        {
            ["Emulator__WebhookEndpoints__0__Url"] = "not a url",
            ["Emulator__WebhookEndpoints__0__Secret"] = "secret",
            ["Emulator__WebhookEndpoints__0__ApiVersion"] = "latest",
            ["Emulator__Prices__0__Currency"] = "USD",
            ["Emulator__WebhookRetrySchedule"] = "1,soon",
        });

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!process.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(process.HasExited, "the emulator should refuse to start");
        var output = await process.OutputAtExitAsync(TimeSpan.FromSeconds(10));
        string[] named = ["Emulator:WebhookEndpoints:0:Url", "Emulator:WebhookEndpoints:0:Secret", "Emulator:WebhookEndpoints:0:ApiVersion", "Emulator:Prices:0:Currency", "Emulator:WebhookRetrySchedule"];
        Assert.All(named, key => Assert.Contains(key, output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Configured_api_keys_restrict_access_and_prices_can_be_seeded_from_the_environment()
    {
        await using var emulator = await StripeEmulatorProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Emulator__ApiKeys__0"] = "sk_test_only_this_one",
            ["Emulator__Prices__6__Id"] = "price_team_monthly",
            ["Emulator__Prices__6__Product"] = "prod_team",
            ["Emulator__Prices__6__UnitAmount"] = "9900",
            ["Emulator__Prices__6__Currency"] = "eur",
            ["Emulator__Prices__6__Interval"] = "month",
            ["Emulator__WebhookEndpoints__0__Url"] = "http://127.0.0.1:9/old",
            ["Emulator__WebhookEndpoints__0__Secret"] = "whsec_old_version_endpoint",
            ["Emulator__WebhookEndpoints__0__ApiVersion"] = "2026-07-29.dahlia",
            ["Emulator__WebhookEndpoints__1__Url"] = "http://127.0.0.1:9/new",
            ["Emulator__WebhookEndpoints__1__Secret"] = "whsec_new_version_endpoint",
        });

        var allowed = await new StripeApiClient(emulator.Controls, "sk_test_only_this_one").GetAsync("/v1/prices/price_team_monthly");
        var other = await new StripeApiClient(emulator.Controls, "sk_test_something_else").GetAsync("/v1/prices/price_team_monthly");

        Assert.Equal(9900, allowed.EnsureOk().Body.Number("unit_amount"));
        Assert.Equal("eur", allowed.Body.Str("currency"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, other.Status);
        var endpoints = (await new StripeApiClient(emulator.Controls, string.Empty).ControlGetAsync("/_emulator/webhook_endpoints")).EnsureOk().Body.Data();
        Assert.Equal(["2026-07-29.dahlia", "2026-10-28.endive"], endpoints.Select(e => e!.Str("api_version")));
    }
}
