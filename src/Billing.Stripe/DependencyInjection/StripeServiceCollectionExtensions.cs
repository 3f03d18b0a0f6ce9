using Billing.Stripe.Http;
using Billing.Stripe.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Stripe.DependencyInjection;

/// <summary>Registers the Stripe client (typed <see cref="HttpClient"/> from IHttpClientFactory) and the webhook verifier.</summary>
public static class StripeServiceCollectionExtensions
{
    /// <summary>Registers <see cref="IStripeClient"/> (and <see cref="StripeClient"/>) with validated options
    /// (checked at start). Returns the HTTP client builder to add handlers (e.g. for a local emulator).</summary>
    public static IHttpClientBuilder AddStripeClient(this IServiceCollection services, Action<StripeClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<StripeClientOptions>()
            .Configure(configure)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StripeClientOptions>, StripeClientOptionsValidator>());
        services.TryAddSingleton<IStripeRetryDelay>(TaskRetryDelay.Instance);
        services.TryAddTransient(sp => (StripeClient)sp.GetRequiredService<IStripeClient>());
        return services
            .AddHttpClient<IStripeClient, StripeClient>((httpClient, sp) => new StripeClient(
                httpClient,
                sp.GetRequiredService<IOptions<StripeClientOptions>>().Value,
                sp.GetService<ILogger<StripeClient>>(),
                sp.GetRequiredService<IStripeRetryDelay>()))
            // The client applies its own per-attempt timeout (StripeClientOptions.Timeout) so timeouts can be retried.
            .ConfigureHttpClient(httpClient => httpClient.Timeout = Timeout.InfiniteTimeSpan);
    }

    /// <summary>Registers a singleton <see cref="StripeWebhookVerifier"/> with validated options and the registered
    /// <see cref="TimeProvider"/> (the system clock unless one is registered).</summary>
    public static IServiceCollection AddStripeWebhookVerifier(this IServiceCollection services, Action<StripeWebhookOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<StripeWebhookOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StripeWebhookOptions>, StripeWebhookOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new StripeWebhookVerifier(
            sp.GetRequiredService<IOptions<StripeWebhookOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
