using Billing.Cosmos.Configuration;
using Billing.Cosmos.DependencyInjection;
using Billing.Cosmos.Provisioning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Infrastructure.Cosmos;

/// <summary>
/// The <c>Billing:Cosmos</c> settings: a connection string (the local emulator) or <c>AccountEndpoint</c> with a
/// managed identity (<c>ManagedIdentityClientId</c> for a user-assigned one). Containers are created at start-up
/// (<see cref="ProvisionStorageIfEnabledAsync"/>) only where <c>ProvisionOnStartup</c> is set (development); in Azure
/// the infrastructure provisions them.
/// </summary>
public static class CosmosRegistration
{
    internal static IServiceCollection AddCosmos(this IServiceCollection services, IConfiguration configuration)
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
        return services;
    }

    /// <summary>
    /// Creates the database and containers when <c>Billing:Cosmos:ProvisionOnStartup</c> is set. The function app
    /// awaits it before the worker connects to the host, so no invocation ever meets a missing container.
    /// </summary>
    public static Task ProvisionStorageIfEnabledAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<CosmosProvisioner>().ProvisionIfEnabledAsync(cancellationToken);
    }
}
