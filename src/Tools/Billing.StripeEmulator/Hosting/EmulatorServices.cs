using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.Checkout;
using Billing.StripeEmulator.Configuration;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Webhooks;
using Billing.StripeEmulator.Wire.Pipeline;
using Microsoft.Extensions.Options;

namespace Billing.StripeEmulator.Hosting;

internal static class EmulatorServices
{
    /// <summary>Listens on <see cref="EmulatorOptions.DefaultUrl"/> unless `--urls` / ASPNETCORE_URLS say otherwise.</summary>
    public static WebApplicationBuilder UseEmulatorDefaults(this WebApplicationBuilder builder)
    {
        var urls = builder.Configuration["urls"];
        if (string.IsNullOrWhiteSpace(urls))
        {
            urls = EmulatorOptions.DefaultUrl;
            builder.WebHost.UseUrls(urls);
        }

        var listenUrl = PublicUrl(urls);
        builder.Services.PostConfigure<EmulatorOptions>(options =>
        {
            if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
            {
                options.PublicBaseUrl = listenUrl;
            }

            options.PublicBaseUrl = options.PublicBaseUrl.TrimEnd('/');
        });
        return builder;
    }

    public static IServiceCollection AddStripeEmulator(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmulatorOptions>().Bind(configuration.GetSection(EmulatorOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmulatorOptions>, EmulatorOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EmulatorClock>();
        services.AddSingleton<WebhookEndpointRegistry>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EmulatorOptions>>().Value;
            return new EmulatorStore(
                provider.GetRequiredService<EmulatorClock>(),
                provider.GetRequiredService<WebhookDispatcher>(),
                mutation => Catalog.Seed(mutation, options.Prices),
                options.PublicBaseUrl ?? EmulatorOptions.DefaultUrl);
        });
        services.AddSingleton<RenewalEngine>();
        services.AddHostedService<RenewalTicker>();
        services.AddSingleton<CheckoutPayments>();
        services.AddSingleton<IdempotencyStore>();
        services.AddHttpClient(WebhookSender.HttpClientName, (provider, client) =>
        {
            client.Timeout = provider.GetRequiredService<IOptions<EmulatorOptions>>().Value.WebhookTimeout;
        });
        return services;
    }

    /// <summary>The first listen URL, with a wildcard host replaced by 127.0.0.1.</summary>
    private static string PublicUrl(string urls)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        return first.Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
            .TrimEnd('/');
    }
}
