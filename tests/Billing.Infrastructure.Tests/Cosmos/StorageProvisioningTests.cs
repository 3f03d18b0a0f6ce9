using Azure.Storage.Queues;
using Billing.Infrastructure.Cosmos;
using Billing.Infrastructure.Queues;
using Billing.Infrastructure.Tests.Support;
using Billing.TestSupport;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Billing.Infrastructure.Tests.Cosmos;

/// <summary>Development start-up provisioning against the emulators: the containers and every queue a trigger listens on.</summary>
public sealed class StorageProvisioningTests
{
    [Fact]
    public async Task Development_provisioning_creates_the_stripe_events_and_invoice_jobs_queues_with_their_poison_queues_and_the_notifications_queue()
    {
        var emulators = await LocalEmulators.GetAsync();
        var unique = Guid.NewGuid().ToString("N")[..12];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stripe:SecretKey"] = TestStripe.SecretKey,
            ["Stripe:ApiBase"] = "http://127.0.0.1:12111/",
            ["Stripe:WebhookSecrets:0"] = "whsec_abc",
            ["AzureWebJobsStorage"] = emulators.StorageConnectionString,
            ["STRIPE_EVENTS_QUEUE"] = "events-" + unique,
            ["INVOICE_JOBS_QUEUE"] = "jobs-" + unique,
            ["BILLING_NOTIFICATIONS_QUEUE"] = "notes-" + unique,
            ["Billing:Cosmos:ConnectionString"] = emulators.CosmosConnectionString,
            ["Billing:Cosmos:DatabaseName"] = "db-" + unique,
            ["Billing:Cosmos:ProvisionOnStartup"] = "true",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddBillingInfrastructure(configuration, new TestEnvironment(Environments.Development));
        await using var provider = services.BuildServiceProvider();
        var events = provider.GetRequiredService<StripeEventQueues>();
        var jobs = provider.GetRequiredService<InvoiceJobQueues>();
        // The product's consumer (docs/notifications.md) receives from it before any notification was sent.
        var notifications = provider.GetRequiredService<QueueServiceClient>().GetQueueClient("notes-" + unique);
        var created = new[] { events.Main, events.Poison, jobs.Main, jobs.Poison, notifications };
        try
        {
            await provider.ProvisionStorageIfEnabledAsync(CancellationToken.None);

            Assert.Equal(
                [$"events-{unique}", $"events-{unique}-poison", $"jobs-{unique}", $"jobs-{unique}-poison"],
                new[] { events.Main, events.Poison, jobs.Main, jobs.Poison }.Select(q => q.Name));
            foreach (var queue in created)
            {
                Assert.True(await queue.ExistsAsync(), queue.Name + " was not created");
            }
        }
        finally
        {
            foreach (var queue in created)
            {
                await queue.DeleteIfExistsAsync();
            }

            await provider.GetRequiredService<CosmosClient>().GetDatabase("db-" + unique).DeleteStreamAsync();
        }
    }
}
