using Billing.Cosmos.Documents;
using Billing.Cosmos.Provisioning;
using Billing.TestSupport;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Cosmos.Tests.Support;

/// <summary>
/// A Cosmos server of a test's own, started with options the test command's shared one never has (a short script time
/// limit, planned concurrent writes), and provisioned as the app provisions it.
/// </summary>
public sealed class OwnCosmosServer : IAsyncDisposable
{
    private readonly ManagedProcess _process;
    private readonly ServiceProvider _services;

    private OwnCosmosServer(ManagedProcess process, ServiceProvider services, string connectionString)
    {
        _process = process;
        _services = services;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public IServiceProvider Services => _services;

    public Container Accounts => _services.GetRequiredService<BillingContainers>().Accounts;

    public static async Task<OwnCosmosServer> StartAsync(string databaseName, params string[] options)
    {
        var (process, connectionString) = await LocalEmulators.StartCosmosServerAsync(options);
        var services = CosmosFixture.BuildServices(connectionString, databaseName);
        var server = new OwnCosmosServer(process, services, connectionString);
        try
        {
            await services.GetRequiredService<CosmosProvisioner>().ProvisionAsync(CancellationToken.None);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _process.DisposeAsync();
    }
}
