using Billing.Cosmos.Configuration;
using Billing.Cosmos.DependencyInjection;
using Billing.Cosmos.Provisioning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Billing.Infrastructure.Cosmos;

/// <summary>
/// The <c>Billing:Cosmos</c> settings, wired as the function app did: a connection string (the local emulator) or
/// <c>AccountEndpoint</c> with a managed identity (<c>ManagedIdentityClientId</c> for a user-assigned one). Containers
/// are created at start-up only where <c>ProvisionOnStartup</c> is set (development); in Azure the infrastructure
/// provisions them.
/// </summary>
internal static class CosmosRegistration
{
    public static IServiceCollection AddCosmos(this IServiceCollection services, IConfiguration configuration)
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
