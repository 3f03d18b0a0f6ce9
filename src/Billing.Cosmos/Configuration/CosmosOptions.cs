using Azure.Core;

namespace Billing.Cosmos.Configuration;

/// <summary>
/// Where the billing data lives. Either <see cref="ConnectionString"/> (the local Cosmos server or the emulator)
/// or <see cref="AccountEndpoint"/> with a <see cref="Credential"/> (Azure, managed identity): not both.
/// </summary>
public sealed class CosmosOptions
{
    public const string SectionName = "Billing:Cosmos";

    /// <summary><c>AccountEndpoint=https://127.0.0.1:8081/;AccountKey=...;</c> for local development and tests.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Azure account endpoint, e.g. <c>https://my-account.documents.azure.com:443/</c>.</summary>
    public Uri? AccountEndpoint { get; set; }

    /// <summary>The identity used with <see cref="AccountEndpoint"/> (set in code, e.g. a managed identity credential).</summary>
    public TokenCredential? Credential { get; set; }

    public string DatabaseName { get; set; } = "billing";

    /// <summary>Create the database and containers at start-up: true in development; false in production, where infrastructure provisions them.</summary>
    public bool ProvisionOnStartup { get; set; }

    public string AccountsContainerName { get; set; } = "accounts";

    public string StripeEventsContainerName { get; set; } = "stripe-events";

    public string StripeCustomersContainerName { get; set; } = "stripe-customers";

    /// <summary>How many times an optimistic account update is tried before giving up on concurrent writers.</summary>
    public int MaxUpdateAttempts { get; set; } = 12;
}
