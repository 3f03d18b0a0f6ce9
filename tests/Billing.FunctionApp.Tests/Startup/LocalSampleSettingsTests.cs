using Billing.TestSupport;

namespace Billing.FunctionApp.Tests.Startup;

/// <summary>README says to copy local.settings.sample.json to local.settings.json: the worker must start with it.</summary>
public sealed class LocalSampleSettingsTests
{
    private static readonly string AppDirectory = Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp");

    [Fact]
    public void The_local_sample_passes_every_start_up_validation_of_the_worker()
    {
        // Locally the environment is Development, so appsettings.Development.json (the catalog, the purchases) is read too.
        var failure = WorkerStartup.Failure(AppDirectory, "Development", SampleSettings.Read());

        Assert.True(failure is null, failure);
    }

    [Fact]
    public void A_value_the_validators_refuse_stops_the_start_naming_the_setting()
    {
        // The check runs the real validators: a Stripe call budget over the limit fails it.
        var settings = SampleSettings.Read();
        settings["Stripe__MaxNetworkRetries"] = "2";
        settings["Stripe__RequestTimeout"] = "00:01:20";

        var failure = WorkerStartup.Failure(AppDirectory, "Development", settings);

        Assert.NotNull(failure);
        Assert.Contains("Stripe:RequestTimeout x (Stripe:MaxNetworkRetries + 1)", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_purchase_sold_at_a_plans_subscription_price_stops_the_start_naming_the_setting()
    {
        // A Stripe price is recurring or one-time: a pack at PRO's monthly price (payment-mode Checkout) or PRO at a
        // pack's price (subscription-mode Checkout) is refused by Stripe on every request. It started, and every
        // purchase of the pack answered 502.
        var settings = SampleSettings.Read();
        settings["Billing__Purchases__CreditPacks__0__PriceId"] = "price_pro_monthly";

        var failure = WorkerStartup.Failure(AppDirectory, "Development", settings);

        Assert.NotNull(failure);
        Assert.Contains("Billing:Purchases:CreditPacks:0:PriceId 'price_pro_monthly' is the subscription price of plan PRO", failure, StringComparison.Ordinal);
    }
}
