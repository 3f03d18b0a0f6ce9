using Billing.Infrastructure.StripeApi;
using Billing.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Stripe;
using Stripe.Checkout;

namespace Billing.Infrastructure.Tests.Support;

/// <summary>
/// The Stripe emulator as a real process, and the infrastructure registered against it exactly as the app does
/// (<c>AddBillingInfrastructure</c>; storage and Cosmos settings point nowhere and are never used).
/// </summary>
public sealed class StripeEmulatorFixture : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];

    public StripeEmulatorProcess Emulator { get; private set; } = null!;

    /// <summary>Services with a generous request budget (100 per second), for the functional tests.</summary>
    public IServiceProvider Services { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await StripeEmulatorProcess.StartAsync();
        Services = BuildServices(requestsPerSecond: 100);
    }

    /// <summary>Another container on the same emulator, with its own <see cref="StripeRequestBudget"/> (and <paramref name="configure"/>'s registrations after the app's).</summary>
    public IServiceProvider BuildServices(int requestsPerSecond, Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stripe:SecretKey"] = StripeEmulatorProcess.SecretKey,
            ["Stripe:ApiBase"] = Emulator.ApiBase.ToString(),
            ["Stripe:WebhookSecrets:0"] = "whsec_infrastructure_tests",
            ["Stripe:RequestsPerSecond"] = requestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Billing:Cosmos:ConnectionString"] = "AccountEndpoint=https://127.0.0.1:1/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBillingInfrastructure(configuration, new TestEnvironment(Environments.Development));
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        lock (_providers)
        {
            _providers.Add(provider);
        }

        return provider;
    }

    /// <summary>A Stripe.net client from the registered factory (for arranging and checking what the adapter did).</summary>
    public StripeClient Stripe => Services.GetRequiredService<StripeClientFactory>().Create();

    /// <summary>A customer with an active Pro subscription, paid through Checkout on the emulator.</summary>
    public async Task<(string CustomerId, string SubscriptionId)> SubscribeAsync(string accountId)
    {
        var session = await Stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = "price_pro_monthly", Quantity = 1 }],
            ClientReferenceId = accountId,
            SuccessUrl = "https://app.example.com/billing/success",
            CancelUrl = "https://app.example.com/billing",
        });
        await Emulator.ControlAsync(
            $"/_emulator/checkout/sessions/{session.Id}/complete",
            new Dictionary<string, string> { ["payment_method"] = "succeeding", ["email"] = "buyer@example.com", ["name"] = "Buyer" });
        var completed = await Stripe.V1.Checkout.Sessions.GetAsync(session.Id);
        return (completed.CustomerId, completed.SubscriptionId);
    }

    /// <summary>A customer without a subscription.</summary>
    public async Task<string> CustomerAsync(string accountId) =>
        (await Stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Metadata = new Dictionary<string, string> { ["account_id"] = accountId } })).Id;

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}

/// <summary>The tests that talk to the emulator share one process and run one after the other (the budget's timing too).</summary>
[CollectionDefinition(Name)]
public sealed class SharedStripeEmulator : ICollectionFixture<StripeEmulatorFixture>
{
    public const string Name = "Stripe emulator";
}
