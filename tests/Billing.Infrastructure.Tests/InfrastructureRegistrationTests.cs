using System.Net;
using Billing.Application.Invoicing;
using Billing.Application.Operations;
using Billing.Application.Payments;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;
using Billing.Application.Subscriptions;
using Billing.Infrastructure.Health;
using Billing.Infrastructure.Queues;
using Billing.Infrastructure.StripeApi;
using Billing.Infrastructure.StripeApi.Webhooks;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Tests;

public sealed class InfrastructureRegistrationTests
{
    private const string Azurite = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;";

    private readonly StubStripeHandler _stripe = new();

    [Fact]
    public void Every_port_and_tool_resolves_from_the_settings()
    {
        using var services = Build(Settings());

        Assert.IsType<StripeBillingGateway>(services.GetRequiredService<IStripeBillingGateway>());
        Assert.IsType<StripeSubscriptionSource>(services.GetRequiredService<IStripeSubscriptionSource>());
        Assert.IsType<StripeEventPayloadReader>(services.GetRequiredService<IStripeEventPayloadReader>());
        Assert.IsType<StripeInvoicing>(services.GetRequiredService<IStripeInvoicing>());
        Assert.Same(services.GetRequiredService<StripeRequestBudget>(), services.GetRequiredService<StripeRequestBudget>()); // one budget per process
        Assert.IsType<StripeEventQueueWriter>(services.GetRequiredService<IStripeEventQueueWriter>());
        Assert.NotNull(services.GetRequiredService<IStripeEventStore>());
        Assert.NotNull(services.GetRequiredService<StripeWebhookVerifier>());
        Assert.Equal("stripe-events-poison", services.GetRequiredService<StripeEventPoisonMessages>().PoisonQueueName);
        Assert.IsType<InvoiceJobSender>(services.GetRequiredService<IInvoiceJobs>());
        Assert.Equal(("invoice-jobs", "invoice-jobs-poison"), (services.GetRequiredService<InvoiceJobQueues>().Main.Name, services.GetRequiredService<InvoiceJobQueues>().Poison.Name));
        Assert.NotNull(services.GetRequiredService<IInvoiceRunStore>());
        Assert.NotNull(services.GetRequiredService<IInvoicingSweepMarkStore>());
        Assert.Equal(
            [("stripe-events", "stripe-events-poison"), ("invoice-jobs", "invoice-jobs-poison")],
            services.GetServices<IPoisonMessages>().Select(p => (p.Kind, p.PoisonQueueName)));
        Assert.Same(services.GetRequiredService<StripeEventPoisonMessages>(), services.GetServices<IPoisonMessages>().First());
        Assert.NotNull(services.GetRequiredService<DependencyHealth>());
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
        Assert.NotSame(services.GetRequiredService<Stripe.StripeClient>(), services.GetRequiredService<Stripe.StripeClient>()); // transient: no captive handler
        services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void The_settings_are_read_from_the_Stripe_section_and_the_Functions_style_keys()
    {
        var settings = Settings();
        settings["Stripe:WebhookSecrets:1"] = "whsec_old";
        settings["Stripe:WebhookTolerance"] = "00:02:00";
        settings["Stripe:MaxNetworkRetries"] = "1";
        settings["Stripe:RequestTimeout"] = "00:00:10";
        settings["Stripe:RequestsPerSecond"] = "7";
        settings["STRIPE_EVENTS_QUEUE"] = "billing-events";
        settings["INVOICE_JOBS_QUEUE"] = "billing-invoice-jobs";
        using var services = Build(settings);

        var stripe = services.GetRequiredService<IOptions<StripeOptions>>().Value;
        Assert.Equal(["whsec_abc", "whsec_old"], stripe.WebhookSecrets);
        Assert.Equal((TimeSpan.FromMinutes(2), 1, TimeSpan.FromSeconds(10), StripeKeyMode.Test), (stripe.WebhookTolerance, stripe.MaxNetworkRetries, stripe.RequestTimeout, stripe.KeyMode));
        Assert.Equal(7, stripe.RequestsPerSecond);
        Assert.Equal(7, services.GetRequiredService<StripeRequestBudget>().RequestsPerSecond);
        Assert.Equal("billing-events", services.GetRequiredService<StripeEventQueues>().Main.Name);
        Assert.Equal(("billing-invoice-jobs", "billing-invoice-jobs-poison"), (services.GetRequiredService<InvoiceJobQueues>().Main.Name, services.GetRequiredService<InvoiceJobQueues>().Poison.Name));
        Assert.Equal(Azurite, services.GetRequiredService<IOptions<QueueStorageOptions>>().Value.ConnectionString);
    }

    [Theory]
    [InlineData("sk_live_abc", true)]
    [InlineData("rk_live_abc", true)]
    [InlineData("sk_test_abc", false)]
    [InlineData("rk_test_abc", false)]
    public void The_events_mode_is_the_configured_keys_not_a_setting_of_its_own(string key, bool live)
    {
        var settings = Settings();
        settings["Stripe:SecretKey"] = key;
        settings["Billing:Stripe:LiveMode"] = (!live).ToString();
        using var services = Build(settings, environment: Environments.Production);

        Assert.Equal(live, services.GetRequiredService<IOptions<StripeModeOptions>>().Value.LiveMode);
    }

    [Fact]
    public void A_managed_identity_storage_account_is_read_from_the_double_underscore_settings()
    {
        var settings = Settings();
        settings.Remove("AzureWebJobsStorage");
        settings["AzureWebJobsStorage:accountName"] = "billingstore";
        settings["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001";
        using var services = Build(settings);

        var storage = services.GetRequiredService<IOptions<QueueStorageOptions>>().Value;
        Assert.Equal(new Uri("https://billingstore.queue.core.windows.net"), storage.IdentityServiceUri);
        Assert.Equal("00000000-0000-0000-0000-000000000001", storage.ClientId);
        Assert.Equal(new Uri("https://billingstore.queue.core.windows.net/stripe-events"), services.GetRequiredService<StripeEventQueues>().Main.Uri);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage", null, "Storage is not configured")]
    [InlineData("AzureWebJobsStorage:queueServiceUri", "http://billingstore.queue.core.windows.net", "absolute https")]
    [InlineData("AzureWebJobsStorage", "billingstore", "'AzureWebJobsStorage' is not a storage connection string")]
    [InlineData("AzureWebJobsStorage", "DefaultEndpointsProtocol=https;AccountName=billingstore", "'AzureWebJobsStorage' is not a storage connection string")]
    [InlineData("STRIPE_EVENTS_QUEUE", "Stripe_Events", "STRIPE_EVENTS_QUEUE must be a queue name")]
    [InlineData("INVOICE_JOBS_QUEUE", "invoice--jobs", "INVOICE_JOBS_QUEUE must be a queue name")]
    [InlineData("INVOICE_JOBS_QUEUE", "invoice-jobs-with-a-name-of-57-characters-too-long-to-fit", "3 to 56 characters so the poison queue name fits")]
    [InlineData("INVOICE_JOBS_QUEUE", "stripe-events", "must differ from the Stripe events queue")]
    [InlineData("INVOICE_JOBS_QUEUE", "stripe-events-poison", "must differ from the Stripe events queue")]
    [InlineData("INVOICE_JOBS_QUEUE", "billing-notifications", "must differ from the Stripe events queue")]
    [InlineData("BILLING_NOTIFICATIONS_QUEUE", "stripe-events", "BILLING_NOTIFICATIONS_QUEUE ('stripe-events') must differ from the Stripe events queue")]
    [InlineData("BILLING_NOTIFICATIONS_QUEUE", "stripe-events-poison", "must differ from the Stripe events queue and its poison queue")]
    [InlineData("Stripe:SecretKey", "sk_live_abc", "refused in the Development environment")]
    [InlineData("Stripe:ApiBase", "ftp://127.0.0.1:12111", "Stripe:ApiBase")]
    [InlineData("Stripe:RequestsPerSecond", "101", "Stripe:RequestsPerSecond must be between 1 and 100")]
    public void Bad_settings_stop_the_start(string key, string? value, string expected)
    {
        var settings = Settings();
        settings[key] = value;
        if (key.StartsWith("AzureWebJobsStorage:", StringComparison.Ordinal))
        {
            settings.Remove("AzureWebJobsStorage");
        }

        using var services = Build(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_storage_connection_string_stops_the_start_without_showing_its_key()
    {
        var settings = Settings();
        settings["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=https;AccountName=billingstore;AccountKey=c2VjcmV0LWtleQ==;QueueEndpoint";
        using var services = Build(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("'AzureWebJobsStorage' is not a storage connection string", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LWtleQ", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invoice_jobs_queue_name_whose_poison_queue_just_fits_is_accepted()
    {
        var settings = Settings();
        settings["INVOICE_JOBS_QUEUE"] = new string('j', 56);
        using var services = Build(settings);

        services.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(63, services.GetRequiredService<InvoiceJobQueues>().Poison.Name.Length);
    }

    [Fact]
    public async Task The_Stripe_client_goes_through_the_factory_client_to_the_configured_api_base()
    {
        _stripe.Respond(HttpStatusCode.OK, """{"object":"list","url":"/v1/prices","has_more":false,"data":[]}""");
        using var services = Build(Settings());

        var stripe = (await services.GetRequiredService<DependencyHealth>().CheckAsync(CancellationToken.None)).Dependencies.Single(d => d.Name == "stripe");

        Assert.True(stripe.IsHealthy, stripe.Detail);
        Assert.Equal("Stripe answers at 127.0.0.1:12111 (test mode).", stripe.Detail);
        var request = Assert.Single(_stripe.Requests);
        Assert.Equal(("GET", "/v1/prices", "?limit=1"), (request.Method, request.Path, request.Query));
        Assert.Equal(StripeOptions.DefaultRequestTimeout, services.GetRequiredService<IHttpClientFactory>().CreateClient(StripeClientFactory.HttpClientName).Timeout);
    }

    [Fact]
    public async Task An_unreachable_Stripe_is_reported_without_details_of_the_exception()
    {
        _stripe.Fail(new HttpRequestException("Connection refused (127.0.0.1:12111)"));
        using var services = Build(Settings());

        var stripe = (await services.GetRequiredService<DependencyHealth>().CheckAsync(CancellationToken.None)).Dependencies.Single(d => d.Name == "stripe");

        Assert.False(stripe.IsHealthy);
        Assert.Equal("Stripe at 127.0.0.1:12111 could not be reached.", stripe.Detail);
        Assert.Single(_stripe.Requests); // the health check does not retry
    }

    [Fact]
    public void The_Stripe_HttpClient_log_category_is_raised_to_warning()
    {
        using var services = Build(Settings(), new EnabledLoggerProvider());

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(InfrastructureServiceCollectionExtensions.StripeHttpClientLogCategory);

        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
    }

    private static Dictionary<string, string?> Settings() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Stripe:SecretKey"] = TestStripe.SecretKey,
        ["Stripe:ApiBase"] = "http://127.0.0.1:12111/",
        ["Stripe:WebhookSecrets:0"] = "whsec_abc",
        ["AzureWebJobsStorage"] = Azurite,
        ["Billing:Cosmos:ConnectionString"] = "AccountEndpoint=https://127.0.0.1:1/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;",
    };

    private ServiceProvider Build(Dictionary<string, string?> settings, ILoggerProvider? provider = null, string environment = "Development")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Debug);
            if (provider is not null)
            {
                logging.AddProvider(provider);
            }
        });
        services.AddBillingInfrastructure(configuration, new TestEnvironment(environment));
        services.AddHttpClient(StripeClientFactory.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _stripe);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    /// <summary>A provider whose loggers are enabled at every level, so only the filter rules decide.</summary>
    private sealed class EnabledLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Enabled();

        public void Dispose()
        {
        }

        private sealed class Enabled : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
            }
        }
    }
}
