using System.Globalization;
using Billing.TestSupport;
using Stripe;
using Stripe.Checkout;

namespace Billing.EndToEnd.Tests.Support;

/// <summary>
/// The function app under the local Functions host (fast queue retries, max dequeue count 3) on Azurite and the Cosmos server,
/// talking to a Stripe emulator process that sends its webhooks to the app, plus the app's data and a Stripe client
/// for the tests to play the customer.
/// </summary>
internal sealed class WebhookStack : IAsyncDisposable
{
    public const string WebhookSecret = "whsec_e2e_signing_secret_0123456789";
    public const int MaxDequeueCount = 3;

    private readonly HttpClient _stripeHttp = new();
    private readonly string? _corsOrigins;
    private readonly RefusingPort? _stripeDown;

    /// <param name="testStripeApiBase">Where the tests' own Stripe client goes: the emulator when there is one.</param>
    private WebhookStack(LocalEmulators emulators, Dictionary<string, string?> settings, FunctionAppProcess app, StripeEmulatorProcess? emulator, Uri testStripeApiBase, string? corsOrigins, RefusingPort? stripeDown)
    {
        _corsOrigins = corsOrigins;
        _stripeDown = stripeDown;
        Emulators = emulators;
        Settings = settings;
        App = app;
        Emulator = emulator;
        Data = BillingData.For(emulators, settings);
        var apiBase = testStripeApiBase.ToString().TrimEnd('/');
        Stripe = new StripeClient(new StripeClientOptions
        {
            ApiKey = StripeEmulatorProcess.SecretKey,
            ApiBase = apiBase,
            ConnectBase = apiBase,
            FilesBase = apiBase,
            MeterEventsBase = apiBase,
            HttpClient = new SystemNetHttpClient(_stripeHttp, maxNetworkRetries: 2, appInfo: null, enableTelemetry: false),
        });
    }

    public LocalEmulators Emulators { get; }

    /// <summary>The app settings (environment) the app was started with: reuse them to start it again on the same queue and database.</summary>
    public Dictionary<string, string?> Settings { get; }

    public FunctionAppProcess App { get; private set; }

    public StripeEmulatorProcess? Emulator { get; }

    public BillingData Data { get; }

    /// <summary>Stripe.net pointed at the emulator: the tests play Stripe's customer with it.</summary>
    public StripeClient Stripe { get; }

    public string QueueName => Settings["STRIPE_EVENTS_QUEUE"]!;

    /// <param name="emulator">Start a Stripe emulator for the app (else its Stripe API base is <paramref name="stripeApiBase"/> or a closed port).</param>
    /// <param name="registerWebhook">Register the app's webhook URL with the emulator.</param>
    /// <param name="corsOrigins">Origins the app's host allows (a browser page's), comma-separated; null: none.</param>
    public static async Task<WebhookStack> StartAsync(bool emulator = true, bool registerWebhook = true, Uri? stripeApiBase = null, Action<Dictionary<string, string?>>? configure = null, string? corsOrigins = null)
    {
        var emulators = await LocalEmulators.GetAsync();
        var stripe = emulator ? await StripeEmulatorProcess.StartAsync(new Dictionary<string, string?> { ["Emulator__WebhookRetrySchedule"] = "0.5,1,2,4" }) : null;
        var stripeDown = stripeApiBase is null && stripe is null ? FreePort.Refusing() : null;
        var apiBase = stripeApiBase ?? stripe?.ApiBase ?? stripeDown!.Url;
        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["Stripe__ApiBase"] = apiBase.ToString().TrimEnd('/');
        settings["Stripe__SecretKey"] = StripeEmulatorProcess.SecretKey;
        settings["Stripe__WebhookSecrets__0"] = WebhookSecret;
        settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = MaxDequeueCount.ToString(CultureInfo.InvariantCulture);
        settings["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00";
        settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.200";
        configure?.Invoke(settings);
        var app = await FunctionAppProcess.StartAsync(settings, corsOrigins: corsOrigins);
        if (stripe is not null && registerWebhook)
        {
            await stripe.AddWebhookEndpointAsync(new Uri(app.BaseAddress, SignedWebhook.Path), WebhookSecret);
        }

        return new WebhookStack(emulators, settings, app, stripe, stripe?.ApiBase ?? apiBase, corsOrigins, stripeDown);
    }

    /// <summary>Stops the app and starts it again with changed settings (same queue and database, same CORS origins).</summary>
    public async Task RestartAppAsync(Action<Dictionary<string, string?>> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        await App.DisposeAsync();
        change(Settings);
        App = await FunctionAppProcess.StartAsync(Settings, corsOrigins: _corsOrigins);
    }

    /// <summary>A Stripe customer carrying the account id in its metadata, as the backend provisions it.</summary>
    public async Task<Customer> CreateCustomerAsync(string accountId) =>
        await Stripe.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            Email = $"{accountId}@example.com",
            Metadata = new Dictionary<string, string> { ["account_id"] = accountId },
        });

    /// <summary>A subscription-mode Checkout Session as the backend creates it, paid by the customer on the emulator's page.</summary>
    public async Task<Session> CheckoutAsync(string accountId, string customerId, string priceId, string paymentMethod = "succeeding")
    {
        var metadata = new Dictionary<string, string> { ["account_id"] = accountId };
        var session = await Stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            Customer = customerId,
            LineItems = [new SessionLineItemOptions { Price = priceId, Quantity = 1 }],
            ClientReferenceId = accountId,
            Metadata = metadata,
            SubscriptionData = new SessionSubscriptionDataOptions { Metadata = metadata },
            SuccessUrl = "https://app.example.com/billing?session={CHECKOUT_SESSION_ID}",
        });
        await Emulator!.ControlAsync($"/_emulator/checkout/sessions/{session.Id}/complete", new Dictionary<string, string> { ["payment_method"] = paymentMethod });
        return await Stripe.V1.Checkout.Sessions.GetAsync(session.Id);
    }

    public Task<Subscription> SubscriptionAsync(string subscriptionId) => Stripe.V1.Subscriptions.GetAsync(subscriptionId);

    /// <summary>Moves the emulator clock forward by whole days (renewals, trial ends, cancellations fall due).</summary>
    public Task AdvanceDaysAsync(int days) =>
        Emulator!.ControlAsync("/_emulator/clock/advance", new Dictionary<string, string> { ["seconds"] = (days * 86_400L).ToString(CultureInfo.InvariantCulture) });

    /// <summary>How many deliveries of <paramref name="kind"/> (original, duplicate, redelivery) of the event the app answered 2xx, by the emulator's delivery log.</summary>
    public async Task<int> DeliveriesAnsweredAsync(string eventId, string kind)
    {
        using var response = await Emulator!.Controls.GetAsync(new Uri($"/_emulator/events/{eventId}/deliveries", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Xunit.Assert.True(response.IsSuccessStatusCode, body);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("data").EnumerateArray()
            .Count(a => a.GetProperty("kind").GetString() == kind && a.GetProperty("succeeded").GetBoolean());
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        await Data.DisposeAsync();
        _stripeHttp.Dispose();
        _stripeDown?.Dispose();
    }
}
