using System.Net;
using Billing.Application.Accounts;
using Billing.Application.StripeCustomers;
using Billing.Application.StripeEvents;
using Billing.Application.Usage;
using Billing.Cosmos.Health;
using Billing.Cosmos.Provisioning;
using Billing.Cosmos.Tests.Support;
using Billing.TestSupport;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Billing.Cosmos.Tests.Provisioning;

public sealed class ProvisioningAndHealthTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    [Fact]
    public async Task Provisioning_twice_is_harmless_and_creates_the_right_partition_keys()
    {
        await fixture.Get<CosmosProvisioner>().ProvisionAsync(CancellationToken.None);
        Assert.True(await fixture.Get<CosmosProvisioner>().ProvisionIfEnabledAsync(CancellationToken.None));

        var database = fixture.Containers.Database;
        Assert.Equal("/accountId", await PartitionKeyPathAsync(database, "accounts"));
        Assert.Equal("/id", await PartitionKeyPathAsync(database, "stripe-events"));
        Assert.Equal("/id", await PartitionKeyPathAsync(database, "stripe-customers"));
    }

    [Fact]
    public async Task A_container_with_another_partition_key_is_reported()
    {
        var name = "billing-test-wrongpk-" + Guid.NewGuid().ToString("N")[..8];
        await using var services = CosmosFixture.BuildServices(fixture.ConnectionString, name);
        var client = services.GetRequiredService<CosmosClient>();
        var database = (await client.CreateDatabaseIfNotExistsAsync(name)).Database;
        try
        {
            await database.CreateContainerAsync(new ContainerProperties("accounts", "/id"));

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<CosmosProvisioner>().ProvisionAsync(CancellationToken.None));

            Assert.Contains("accounts", error.Message, StringComparison.Ordinal);
            Assert.Contains("/accountId", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await database.DeleteStreamAsync();
        }
    }

    [Fact]
    public async Task Provisioning_is_skipped_unless_enabled()
    {
        var name = "billing-test-noprov-" + Guid.NewGuid().ToString("N")[..8];
        await using var services = CosmosFixture.BuildServices(fixture.ConnectionString, name, o => o.ProvisionOnStartup = false);

        Assert.False(await services.GetRequiredService<CosmosProvisioner>().ProvisionIfEnabledAsync(CancellationToken.None));
        using var response = await services.GetRequiredService<CosmosClient>().GetDatabase(name).ReadStreamAsync();
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Health_is_good_for_a_provisioned_database()
    {
        var result = await fixture.Get<CosmosHealthProbe>().CheckAsync(CancellationToken.None);

        Assert.Equal(CosmosHealthResult.Healthy, result);
    }

    [Fact]
    public async Task Health_reports_a_missing_database()
    {
        await using var services = CosmosFixture.BuildServices(fixture.ConnectionString, "billing-test-missing-" + Guid.NewGuid().ToString("N")[..8]);

        var result = await services.GetRequiredService<CosmosHealthProbe>().CheckAsync(CancellationToken.None);

        Assert.False(result.IsHealthy);
        Assert.Contains("does not exist", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_reports_an_unreachable_server()
    {
        using var closed = FreePort.Refusing();
        var closedPort = closed.Port;
        await using var services = CosmosFixture.BuildServices(LocalEmulators.CosmosServerConnectionString(closedPort, closed.Host), "billing");

        var result = await services.GetRequiredService<CosmosHealthProbe>().CheckAsync(CancellationToken.None);

        Assert.False(result.IsHealthy);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
        Assert.DoesNotContain(closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Reason, StringComparison.Ordinal); // /api/health is anonymous: no hosts or addresses
        Assert.DoesNotContain(closed.Host, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_registration_wires_every_port_and_validates_options()
    {
        Assert.IsType<Billing.Cosmos.Accounts.CosmosBillingAccountStore>(fixture.Get<IBillingAccountStore>());
        Assert.IsType<Billing.Cosmos.StripeCustomers.CosmosStripeCustomerLinks>(fixture.Get<IStripeCustomerLinks>());
        Assert.IsType<Billing.Cosmos.Usage.CosmosUsageLedger>(fixture.Get<IUsageLedger>());
        Assert.IsType<Billing.Cosmos.Usage.CosmosAllocationLedger>(fixture.Get<IAllocationLedger>());
        Assert.IsType<Billing.Cosmos.StripeEvents.CosmosStripeEventStore>(fixture.Get<IStripeEventStore>());

        using var invalid = CosmosFixture.BuildServices("", "");
        var error = Assert.Throws<OptionsValidationException>(() => invalid.GetRequiredService<IOptions<Billing.Cosmos.Configuration.CosmosOptions>>().Value);
        Assert.Contains(error.Failures, f => f.Contains("set either ConnectionString", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("DatabaseName is required", StringComparison.Ordinal));
    }

    private static async Task<string?> PartitionKeyPathAsync(Database database, string container) =>
        (await database.GetContainer(container).ReadContainerAsync()).Resource.PartitionKeyPath;
}
