using Billing.Application.Accounts;
using Billing.Application.Checkout;
using Billing.Application.Payments;
using Billing.Application.Portal;
using Billing.Application.Redirects;
using Billing.Application.Subscriptions;
using Billing.Application.Trials;
using Billing.FunctionApp.Infrastructure.Stripe;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Api;

/// <summary>
/// Registers the billing API: its use cases, the Stripe gateway, the redirect settings (<c>Billing:Checkout</c>,
/// <c>Billing:Portal</c>, <c>Billing:Redirects</c>), all validated at start-up.
/// </summary>
public static class BillingApiServices
{
    public static IServiceCollection AddBillingApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        AddValidatedOptions<CheckoutOptions, CheckoutOptionsValidator>(services, configuration, CheckoutOptions.SectionName);
        AddValidatedOptions<PortalOptions, PortalOptionsValidator>(services, configuration, PortalOptions.SectionName);
        AddValidatedOptions<RedirectOptions, RedirectOptionsValidator>(services, configuration, RedirectOptions.SectionName);

        services.AddSingleton<RedirectUrlPolicy>();
        services.AddTransient<IStripeBillingGateway, StripeBillingGateway>();
        services.AddTransient<StripeCustomerProvisioning>();
        services.AddTransient<CheckoutSessions>();
        services.AddTransient<PortalSessions>();
        services.AddTransient<LocalTrials>();
        services.AddTransient<SubscriptionOverview>();

        return services;
    }

    private static void AddValidatedOptions<TOptions, TValidator>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
    }
}
