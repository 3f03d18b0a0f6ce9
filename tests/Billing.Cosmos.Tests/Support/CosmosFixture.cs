using Billing.Cosmos.Configuration;
using Billing.Cosmos.DependencyInjection;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Provisioning;
using Billing.TestSupport;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Cosmos.Tests.Support;

/// <summary>
/// One provisioned database per test class on the local Cosmos server (unique name), wired exactly as the app
/// wires it (AddBillingCosmos); deleted afterwards.
/// </summary>
public sealed class CosmosFixture : IAsyncLifetime
{
    private ServiceProvider? _services;

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("Fixture not initialised.");

    public string ConnectionString { get; private set; } = "";

    public string DatabaseName { get; } = "billing-test-" + Guid.NewGuid().ToString("N")[..12];

    public BillingContainers Containers => Services.GetRequiredService<BillingContainers>();

    public CosmosOptions Options => Services.GetRequiredService<IOptions<CosmosOptions>>().Value;

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        ConnectionString = (await LocalEmulators.GetAsync()).CosmosConnectionString;
        _services = BuildServices(ConnectionString, DatabaseName);
        await Get<CosmosProvisioner>().ProvisionAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_services is null)
        {
            return;
        }

        try
        {
            await Get<CosmosClient>().GetDatabase(DatabaseName).DeleteStreamAsync();
        }
        finally
        {
            await _services.DisposeAsync();
        }
    }

    public static ServiceProvider BuildServices(string connectionString, string databaseName, Action<CosmosOptions>? tweak = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddBillingCosmos(options =>
        {
            options.ConnectionString = connectionString;
            options.DatabaseName = databaseName;
            options.ProvisionOnStartup = true;
            tweak?.Invoke(options);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
