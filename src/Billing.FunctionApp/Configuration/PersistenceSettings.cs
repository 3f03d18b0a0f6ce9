using Billing.Cosmos.Configuration;
using Billing.Cosmos.DependencyInjection;
using Billing.Cosmos.Provisioning;
using Billing.FunctionApp.Infrastructure;

namespace Billing.FunctionApp.Configuration;

/// <summary>
/// The <c>Billing:Cosmos</c> settings: a connection string (the local emulator) or <c>AccountEndpoint</c> with a managed
/// identity (<c>ManagedIdentityClientId</c> for a user-assigned one). Containers are created at start-up only where
/// <c>ProvisionOnStartup</c> is set (development); in Azure the infrastructure provisions them.
/// </summary>
public static class PersistenceSettings
{
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(CosmosOptions.SectionName);
        services.AddBillingCosmos(options =>
        {
            section.Bind(options);
            if (string.IsNullOrWhiteSpace(options.ConnectionString) && options.AccountEndpoint is not null)
            {
                options.Credential = AzureCredentialFactory.Create(section["ManagedIdentityClientId"]);
            }
        });
        services.AddHostedService<CosmosProvisioningService>();
        return services;
    }

    /// <summary>Runs before the triggers start: creates the database and containers when enabled.</summary>
    private sealed class CosmosProvisioningService(CosmosProvisioner provisioner) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => provisioner.ProvisionIfEnabledAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
