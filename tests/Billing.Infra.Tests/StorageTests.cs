using Billing.Infra.Tests.Bicep;
using Billing.Infrastructure.Queues;

namespace Billing.Infra.Tests;

[Collection(DeployedTemplateGroup.Name)]
public sealed class StorageTests(DeployedTemplate template)
{
    [Fact]
    public void Every_queue_the_code_uses_exists_with_its_poison_queue()
    {
        // The names the code falls back to (and the settings name, see AppSettingsTests); the host moves a message
        // that failed maxDequeueCount times to <queue>-poison.
        var defaults = new QueueNameOptions();
        string[] used = [defaults.QueueName, defaults.InvoiceJobsQueueName, defaults.NotificationsQueueName];
        var expected = used.SelectMany(q => new[] { q, q + QueueNameOptions.PoisonSuffix }).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(defaults.PoisonQueueName, expected);
        Assert.Contains(defaults.InvoiceJobsPoisonQueueName, expected);

        var queues = template.OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(DeployedTemplate.ShortName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(expected, queues);
    }

    [Fact]
    public void Shared_key_access_is_off_and_only_TLS_1_2_over_HTTPS_is_accepted()
    {
        var properties = template.OneOf("Microsoft.Storage/storageAccounts")["properties"]!;

        Assert.Equal(false, (bool?)properties["allowSharedKeyAccess"]);
        Assert.Equal(true, (bool?)properties["defaultToOAuthAuthentication"]);
        Assert.Equal(false, (bool?)properties["allowBlobPublicAccess"]);
        Assert.Equal(true, (bool?)properties["supportsHttpsTrafficOnly"]);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
    }

    [Fact]
    public void The_app_is_deployed_from_a_blob_container_of_the_account_with_its_identity()
    {
        var container = DeployedTemplate.ShortName(template.OneOf("Microsoft.Storage/storageAccounts/blobServices/containers"));
        var storage = template.OneOf("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;

        Assert.Equal("blobContainer", (string?)storage["type"]);
        var url = Assert.IsType<ArmUnresolved>(ArmExpression.FromJsonString((string)storage["value"]!)).Text;
        Assert.Contains("primaryEndpoints.blob", url, StringComparison.Ordinal);
        Assert.EndsWith($"'{container}')", url, StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", (string?)storage["authentication"]!["type"]);
        Assert.Equal((string?)template.OneOf("Microsoft.ManagedIdentity/userAssignedIdentities")["id"], (string?)storage["authentication"]!["userAssignedIdentityResourceId"]);
    }
}
