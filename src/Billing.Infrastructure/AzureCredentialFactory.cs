using Azure.Core;
using Azure.Identity;

namespace Billing.Infrastructure;

/// <summary>The Entra ID credential for Azure services: a user-assigned managed identity when its client id is given, otherwise the default chain (system-assigned identity in Azure, developer sign-in locally).</summary>
public static class AzureCredentialFactory
{
    public static TokenCredential Create(string? managedIdentityClientId) =>
        string.IsNullOrWhiteSpace(managedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(managedIdentityClientId));
}
