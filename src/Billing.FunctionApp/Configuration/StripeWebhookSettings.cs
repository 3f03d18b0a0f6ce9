using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Application.StripeEvents.Ingest;
using Billing.Application.Subscriptions;
using Billing.FunctionApp.Webhooks;
using Billing.FunctionApp.Infrastructure.Queues;
using Billing.FunctionApp.Infrastructure.Stripe;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Configuration;

/// <summary>
/// Stripe webhooks end to end: the ingest (<c>Billing:Webhooks</c> limits; signing secrets in <c>Stripe</c>), the
/// queue writer, the processor with its handlers, subscription reads from Stripe, re-sync and the poison queue tools.
/// </summary>
public static class StripeWebhookSettings
{
    public static IServiceCollection AddStripeWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookIngestOptions>().Bind(configuration.GetSection(WebhookIngestOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookIngestOptions>, WebhookIngestOptionsValidator>();

        // Ingest
        services.AddSingleton<IStripeEventQueueWriter, StripeEventQueueWriter>();
        services.AddSingleton<StripeEventIngest>();
        services.AddSingleton<StripeWebhookFunction>();

        // Processing
        services.AddSingleton<IStripeEventPayloadReader, StripeEventPayloadReader>();
        services.AddSingleton<IStripeSubscriptionSource, StripeSubscriptionSource>();
        services.TryAddSingleton<SubscriptionSnapshotApplier>();
        services.AddSingleton<StripeSubscriptionSync>();
        services.AddSingleton<StripeEventAccountResolver>();
        services.AddSingleton<IStripeEventTypeHandler, CheckoutSessionCompletedHandler>();
        services.AddSingleton<IStripeEventTypeHandler, SubscriptionEventsHandler>();
        services.AddSingleton<IStripeEventTypeHandler, InvoicePaymentEventsHandler>();
        services.AddSingleton<IStripeEventTypeHandler, CustomerDeletedHandler>();
        services.AddSingleton<IStripeEventProcessor, StripeEventProcessor>();

        // Operations
        services.AddSingleton<AccountStripeResync>();
        services.AddSingleton<StripeEventPoisonMessages>();
        return services;
    }
}
