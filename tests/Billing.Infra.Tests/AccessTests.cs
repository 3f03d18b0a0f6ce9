using Billing.Infra.Tests.Bicep;

namespace Billing.Infra.Tests;

/// <summary>The app's identity holds exactly the data-plane roles the code and the Functions host need (infra/modules/access.bicep says why each).</summary>
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

    [Fact]
    public void The_identity_has_exactly_the_expected_roles_each_on_its_resource()
    {
        var identity = (string)template.OneOf("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        var granted = new List<(string Role, string Scope, string Principal)>();

        foreach (var assignment in template.OfType("Microsoft.Authorization/roleAssignments"))
        {
            var id = (string)assignment["id"]!;
            var at = id.IndexOf(RoleAssignmentSegment, StringComparison.Ordinal);
            Assert.True(at > 0, $"Role assignment without a resource scope: {id}");
            var role = ((string)assignment["properties"]!["roleDefinitionId"]!).Split('/')[^1];
            granted.Add((role, id[..at], (string)assignment["properties"]!["principalId"]!));
            Assert.Equal("ServicePrincipal", (string?)assignment["properties"]!["principalType"]);
        }

        foreach (var assignment in template.OfType("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"))
        {
            var properties = assignment["properties"]!;
            var roleDefinition = (string)properties["roleDefinitionId"]!;
            var account = (string)properties["scope"]!;
            Assert.StartsWith(account + "/sqlRoleDefinitions/", roleDefinition, StringComparison.Ordinal); // a role of this account, scoped to it
            granted.Add((roleDefinition.Split('/')[^1], account, (string)properties["principalId"]!));
        }

        Assert.All(granted, g => Assert.Equal($"[reference('{identity}', '2023-01-31').principalId]", g.Principal));
        var actual = granted.Select(g => (g.Role, ScopeType(g.Scope))).Order().ToList();
        Assert.Equal(Expected.Select(e => (e.Role, e.Scope)).Order().ToList(), actual);

        // Each on the template's own resource, not a resource group or subscription.
        Assert.All(granted, g => Assert.Contains(template.Resources, r => (string?)r["id"] == g.Scope));
    }

    private static string ScopeType(string resourceId)
    {
        var providers = resourceId.Split("/providers/")[^1].Split('/');
        return $"{providers[0]}/{providers[1]}";
    }

    private const string RoleAssignmentSegment = "/providers/Microsoft.Authorization/roleAssignments/";
}
