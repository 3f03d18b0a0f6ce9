using Azure.Core;
using Billing.Cosmos.Configuration;
using Billing.TestSupport;

namespace Billing.Cosmos.Tests.Configuration;

public sealed class CosmosOptionsValidatorTests
{
    private static readonly string LocalConnectionString = LocalEmulators.CosmosServerConnectionString(8081);

    [Fact]
    public void A_local_connection_string_is_valid()
    {
        Assert.Empty(CosmosOptionsValidator.Errors(new CosmosOptions { ConnectionString = LocalConnectionString }));
    }

    [Fact]
    public void An_endpoint_with_a_credential_is_valid()
    {
        var options = new CosmosOptions { AccountEndpoint = new Uri("https://acct.documents.azure.com:443/"), Credential = new FakeCredential() };

        Assert.Empty(CosmosOptionsValidator.Errors(options));
    }

    [Fact]
    public void An_endpoint_signed_in_with_Entra_ID_does_not_provision_on_startup()
    {
        // Cosmos DB's data-plane roles cover items, queries and stored procedure executions, not creating a database,
        // a container or a stored procedure: with a token credential the provisioner's first stored procedure create is
        // refused (403), and the start with it.
        var options = new CosmosOptions
        {
            AccountEndpoint = new Uri("https://acct.documents.azure.com:443/"),
            Credential = new FakeCredential(),
            ProvisionOnStartup = true,
        };

        var error = Assert.Single(CosmosOptionsValidator.Errors(options));
        Assert.StartsWith("Billing:Cosmos:ProvisionOnStartup", error, StringComparison.Ordinal);
        Assert.Contains("infra/modules/cosmos.bicep", error, StringComparison.Ordinal);
        Assert.Empty(CosmosOptionsValidator.Errors(new CosmosOptions { ConnectionString = LocalConnectionString, ProvisionOnStartup = true }));
    }

    [Fact]
    public void Exactly_one_way_to_connect()
    {
        var neither = CosmosOptionsValidator.Errors(new CosmosOptions());
        var both = CosmosOptionsValidator.Errors(new CosmosOptions
        {
            ConnectionString = LocalConnectionString,
            AccountEndpoint = new Uri("https://acct.documents.azure.com:443/"),
            Credential = new FakeCredential(),
        });

        Assert.Contains(neither, e => e.Contains("set either ConnectionString", StringComparison.Ordinal));
        Assert.Contains(both, e => e.Contains("not both", StringComparison.Ordinal));
    }

    [Fact]
    public void An_endpoint_needs_https_and_a_credential()
    {
        var errors = CosmosOptionsValidator.Errors(new CosmosOptions { AccountEndpoint = new Uri("http://acct.documents.azure.com/") });

        Assert.Contains(errors, e => e.Contains("absolute https URI", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Credential is required", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("AccountKey=abc;")]
    [InlineData("AccountEndpoint=not a uri;AccountKey=abc;")]
    [InlineData("AccountEndpoint=https://127.0.0.1:8081/;")]
    public void A_malformed_connection_string_is_explained(string connectionString)
    {
        var error = Assert.Single(CosmosOptionsValidator.Errors(new CosmosOptions { ConnectionString = connectionString }));

        Assert.StartsWith("Billing:Cosmos:ConnectionString:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_validation_cannot_be_disabled_for_a_remote_endpoint()
    {
        var options = new CosmosOptions { ConnectionString = "AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey=abc;DisableServerCertificateValidation=True;" };

        var error = Assert.Single(CosmosOptionsValidator.Errors(options));
        Assert.Contains("only honoured for a loopback endpoint", error, StringComparison.Ordinal);
        Assert.Empty(CosmosOptionsValidator.Errors(new CosmosOptions { ConnectionString = LocalConnectionString + "DisableServerCertificateValidation=True;" }));
    }

    [Fact]
    public void Names_must_be_valid_and_containers_distinct()
    {
        var options = new CosmosOptions
        {
            ConnectionString = LocalConnectionString,
            DatabaseName = "",
            AccountsContainerName = "a/b",
            StripeEventsContainerName = "same",
            StripeCustomersContainerName = "same",
            MaxUpdateAttempts = 0,
        };

        var errors = CosmosOptionsValidator.Errors(options);

        Assert.Contains(errors, e => e.Contains("DatabaseName is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("AccountsContainerName 'a/b' is not a valid Cosmos DB name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("container names must differ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MaxUpdateAttempts", StringComparison.Ordinal));
        Assert.Equal(4, errors.Count);
    }

    private sealed class FakeCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("token", DateTimeOffset.MaxValue);

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
