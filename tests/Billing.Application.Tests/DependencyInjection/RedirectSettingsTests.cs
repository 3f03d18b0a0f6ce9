using Billing.Application.Checkout;
using Billing.Application.Portal;
using Billing.Application.Redirects;
using Billing.Application.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Billing.Application.Tests.DependencyInjection;

/// <summary>The checkout, portal and redirect settings are validated when the app starts, with messages that name the setting.</summary>
public sealed class RedirectSettingsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["Billing:Checkout:SuccessUrl"] = "https://app.example.com/ok?session_id={CHECKOUT_SESSION_ID}",
        ["Billing:Checkout:CancelUrl"] = "https://app.example.com/billing",
        ["Billing:Portal:ReturnUrl"] = "https://app.example.com/billing",
        ["Billing:Redirects:AllowedOrigins:0"] = "https://app.example.com",
    };

    [Fact]
    public void Valid_settings_bind()
    {
        using var services = Build(Valid);

        Assert.Equal("https://app.example.com/billing", services.GetRequiredService<IOptions<PortalOptions>>().Value.ReturnUrl);
        Assert.Equal(["https://app.example.com"], services.GetRequiredService<IOptions<RedirectOptions>>().Value.AllowedOrigins);
    }

    [Theory]
    [InlineData("Billing:Checkout:SuccessUrl", null, "Billing:Checkout:SuccessUrl")]
    [InlineData("Billing:Checkout:CancelUrl", "/billing", "Billing:Checkout:CancelUrl")]
    [InlineData("Billing:Portal:ReturnUrl", "ftp://app.example.com/", "Billing:Portal:ReturnUrl")]
    [InlineData("Billing:Redirects:AllowedOrigins:0", "https://app.example.com/billing", "Billing:Redirects:AllowedOrigins:0")]
    public void A_wrong_setting_fails_start_up_naming_it(string key, string? value, string named)
    {
        var settings = new Dictionary<string, string?>(Valid) { [key] = value };
        using var services = Build(settings);

        var failure = Assert.Throws<OptionsValidationException>(() =>
        {
            _ = services.GetRequiredService<IOptions<CheckoutOptions>>().Value;
            _ = services.GetRequiredService<IOptions<PortalOptions>>().Value;
            _ = services.GetRequiredService<IOptions<RedirectOptions>>().Value;
        });

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBillingApplication(configuration);
        return services.BuildServiceProvider();
    }
}
