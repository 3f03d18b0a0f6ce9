using Billing.Infra.Tests.Bicep;
using Billing.Infrastructure.Queues;

namespace Billing.Infra.Tests;

/// <summary>
/// The app's identity holds exactly the data-plane roles the code and the Functions host need, and the product's
/// notification consumers exactly one role on the notifications queue (infra/modules/access.bicep says why each).
/// </summary>
[Collection(DeployedTemplateGroup.Name)]
public sealed class AccessTests(DeployedTemplate template)
{
    /// <summary>Role definition id and the type of the resource it is granted on.</summary>
    private static readonly (string Role, string Scope, string Why)[] Expected =
    [
        ("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts", "Storage Blob Data Owner: host storage (leases, timers, keys) and the deployment package"),
        ("974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Microsoft.Storage/storageAccounts", "Storage Queue Data Contributor: triggers, poison moves, sends, creates, peeks, replay"),
        ("3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components", "Monitoring Metrics Publisher: telemetry with Entra ID"),
        ("4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults", "Key Vault Secrets User: Key Vault references"),
        ("00000000-0000-0000-0000-000000000002", "Microsoft.DocumentDB/databaseAccounts", "Cosmos DB Built-in Data Contributor: the stores"),
    ];

    /// <summary>Storage Queue Data Message Processor: peek, receive and delete messages.</summary>
    private const string QueueMessageProcessor = "8a0f0c08-91a1-4084-bc3d-661d67233fed";

    [Fact]
    public void The_identity_has_exactly_the_expected_roles_each_on_its_resource()
    {
        var identity = IdentityPrincipal();
        var granted = Granted().Where(g => g.Principal == identity).ToList();

        Assert.All(granted, g => Assert.Equal("ServicePrincipal", g.PrincipalType));
        var actual = granted.Select(g => (g.Role, ScopeType(g.Scope))).Order().ToList();
        Assert.Equal(Expected.Select(e => (e.Role, e.Scope)).Order().ToList(), actual);

        // Each on the template's own resource, not a resource group or subscription.
        Assert.All(granted, g => Assert.Contains(template.Resources, r => (string?)r["id"] == g.Scope));
    }

    [Fact]
    public void Each_notification_consumer_may_only_process_the_messages_of_the_notifications_queue()
    {
        var queue = template.OfType("Microsoft.Storage/storageAccounts/queueServices/queues")
            .Single(q => DeployedTemplate.ShortName(q) == new QueueNameOptions().NotificationsQueueName);
        var consumers = DeployedTemplate.Parameters.NotificationConsumerPrincipalIds;

        var granted = Granted().Where(g => g.Principal != IdentityPrincipal()).ToList();

        // One role each, on that queue (not the account, not its poison queue); nobody else holds anything.
        Assert.Equal(consumers.Order(StringComparer.Ordinal), granted.Select(g => g.Principal).Order(StringComparer.Ordinal));
        Assert.All(granted, g =>
        {
            Assert.Equal(QueueMessageProcessor, g.Role);
            Assert.Equal((string)queue["id"]!, g.Scope);
            Assert.Null(g.PrincipalType); // a managed identity, an application, a user or a group
        });
    }

    [Fact]
    public void The_deployment_tells_consumers_the_queues_URL()
    {
        var outputs = template.Template["outputs"]!.AsObject();

        var url = (string)outputs["BILLING_NOTIFICATIONS_QUEUE_URL"]!["value"]!;
        var endpoint = (string)outputs["AZURE_STORAGE_QUEUE_ENDPOINT"]!["value"]!;

        Assert.Contains("outputs.queueEndpoint.value", endpoint, StringComparison.Ordinal);
        Assert.Equal("[format('{0}{1}', " + endpoint[1..^1] + ", parameters('notificationsQueue'))]", url);
    }

    private string IdentityPrincipal() =>
        $"[reference('{(string)template.OneOf("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!}', '2023-01-31').principalId]";

    /// <summary>Every role assignment of the deployment, Azure RBAC and Cosmos DB data-plane alike.</summary>
    private List<(string Role, string Scope, string Principal, string? PrincipalType)> Granted()
    {
        var granted = new List<(string Role, string Scope, string Principal, string? PrincipalType)>();
        foreach (var assignment in template.OfType("Microsoft.Authorization/roleAssignments"))
        {
            var id = (string)assignment["id"]!;
            var at = id.IndexOf(RoleAssignmentSegment, StringComparison.Ordinal);
            Assert.True(at > 0, $"Role assignment without a resource scope: {id}");
            var properties = assignment["properties"]!;
            var role = ((string)properties["roleDefinitionId"]!).Split('/')[^1];
            granted.Add((role, id[..at], (string)properties["principalId"]!, (string?)properties["principalType"]));
        }

        foreach (var assignment in template.OfType("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"))
        {
            var properties = assignment["properties"]!;
            var roleDefinition = (string)properties["roleDefinitionId"]!;
            var account = (string)properties["scope"]!;
            Assert.StartsWith(account + "/sqlRoleDefinitions/", roleDefinition, StringComparison.Ordinal); // a role of this account, scoped to it
            granted.Add((roleDefinition.Split('/')[^1], account, (string)properties["principalId"]!, "ServicePrincipal")); // Cosmos DB takes no principal type
        }

        return granted;
    }

    private static string ScopeType(string resourceId)
    {
        var providers = resourceId.Split("/providers/")[^1].Split('/');
        return $"{providers[0]}/{providers[1]}";
    }

    private const string RoleAssignmentSegment = "/providers/Microsoft.Authorization/roleAssignments/";
}
