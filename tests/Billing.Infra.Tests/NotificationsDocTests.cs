using Billing.Infra.Tests.Bicep;

namespace Billing.Infra.Tests;

/// <summary>docs/notifications.md tells the product's developers how to read the queue on this storage account (Entra ID only).</summary>
[Collection(DeployedTemplateGroup.Name)]
public sealed class NotificationsDocTests(DeployedTemplate template)
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "docs", "notifications.md"));

    [Fact]
    public void The_consumer_sample_reads_the_queue_with_an_Entra_credential_and_base64()
    {
        var section = Doc[Doc.IndexOf("## Consuming it", StringComparison.Ordinal)..];
        var sample = section[(section.IndexOf("```csharp", StringComparison.Ordinal) + "```csharp".Length)..];
        sample = sample[..sample.IndexOf("```", StringComparison.Ordinal)];

        // Shared keys are off on the account: a connection string gets 403 KeyBasedAuthenticationNotPermitted.
        Assert.Contains("new QueueClient(\n    new Uri(queueUrl),\n    new DefaultAzureCredential(),", sample, StringComparison.Ordinal);
        Assert.DoesNotContain("connectionString", sample, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("MessageEncoding = QueueMessageEncoding.Base64", sample, StringComparison.Ordinal);
        Assert.Contains("__queueServiceUri", section, StringComparison.Ordinal);
        Assert.Contains("__credential", section, StringComparison.Ordinal);
    }

    [Fact]
    public void The_outputs_and_parameter_the_doc_names_exist()
    {
        var outputs = template.Template["outputs"]!.AsObject();
        var parameters = template.Template["parameters"]!.AsObject();

        foreach (var output in new[] { "BILLING_NOTIFICATIONS_QUEUE_URL", "AZURE_STORAGE_QUEUE_ENDPOINT" })
        {
            Assert.Contains(output, Doc, StringComparison.Ordinal);
            Assert.True(outputs.ContainsKey(output), $"infra/main.bicep has no output {output}");
        }

        Assert.Contains("`notificationConsumerPrincipalIds`", Doc, StringComparison.Ordinal);
        Assert.True(parameters.ContainsKey("notificationConsumerPrincipalIds"));
    }
}
