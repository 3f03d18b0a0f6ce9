using System.Text.Json.Nodes;
using Billing.Infra.Tests.Bicep;

namespace Billing.Infra.Tests;

[Collection(DeployedTemplateGroup.Name)]
public sealed class TemplateCompilationTests(DeployedTemplate template)
{
    [Fact]
    public void Main_bicep_compiles_without_a_diagnostic()
    {
        Assert.True(template.Build.ExitCode == 0, template.Build.StandardError);
        Assert.Equal("", template.Build.StandardError.Trim());
        Assert.NotEmpty(template.Template["resources"]!.AsObject());
    }

    [Fact]
    public void The_linter_reports_nothing_with_every_rule_an_error()
    {
        // infra/bicepconfig.json raises the linter's rules to errors; any line it prints, warning or info, fails too.
        Assert.True(template.Lint.ExitCode == 0, template.Lint.Output);
        Assert.Equal("", template.Lint.Output.Trim());
    }

    [Fact]
    public void The_snapshot_expands_every_module()
    {
        Assert.True(template.Snapshot.ExitCode == 0, template.Snapshot.Output);
        Assert.Empty(template.SnapshotDiagnostics);
        Assert.NotEmpty(template.Resources);
    }

    [Fact]
    public void No_secret_is_a_parameter_default()
    {
        Assert.Empty(SecretDefaults.Find(template.Template));
    }

    [Fact]
    public void The_secrets_go_to_Key_Vault_and_nowhere_else()
    {
        var secrets = new[] { DeployedTemplate.Parameters.StripeSecretKey, DeployedTemplate.Parameters.StripeWebhookSecret };
        var keyVaultSecrets = template.OfType("Microsoft.KeyVault/vaults/secrets").Select(DeployedTemplate.ShortName).Order().ToList();
        Assert.Equal(["stripe-secret-key", "stripe-webhook-secret-0", "stripe-webhook-secret-1"], keyVaultSecrets);

        // The snapshot never evaluates secure parameters; anywhere but a Key Vault secret they must not even be referenced.
        foreach (var resource in template.Resources.Where(r => (string?)r["type"] != "Microsoft.KeyVault/vaults/secrets"))
        {
            var text = resource.ToJsonString();
            Assert.DoesNotContain("parameters('stripe", text, StringComparison.Ordinal);
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_template_with_a_plain_text_secret_default_is_caught()
    {
        var directory = Directory.CreateTempSubdirectory("billing-infra-bad-").FullName;
        try
        {
            var file = Path.Combine(directory, "bad.bicep");
            await File.WriteAllTextAsync(file, """
                @secure()
                param stripeSecretKey string = 'sk_live_hardcoded'
                param webhookSecret string = 'whsec_hardcoded'
                output keyLength int = length(stripeSecretKey)
                output secretLength int = length(webhookSecret)
                """);
            var build = await BicepServer.CompileAsync(file);
            Assert.True(build.ExitCode == 0, build.Output);

            var findings = SecretDefaults.Find((JsonObject)JsonNode.Parse(build.StandardOutput)!);

            Assert.Contains(findings, f => f.Contains("secure parameter 'stripeSecretKey' has a default", StringComparison.Ordinal));
            Assert.Contains(findings, f => f.Contains("'webhookSecret' is named like a secret but is not @secure()", StringComparison.Ordinal));
            Assert.Contains(findings, f => f.Contains("'webhookSecret' looks like a Stripe key", StringComparison.Ordinal));

            // The linter with the project's configuration refuses it too.
            var lint = await BicepCli.RunAsync("lint", file, "--config", Path.Combine(BicepCli.RepositoryRoot, "infra", "bicepconfig.json"));
            Assert.NotEqual(0, lint.ExitCode);
            Assert.Contains("secure-parameter-default", lint.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
