using System.Globalization;
using System.Text.RegularExpressions;
using Billing.FunctionApp.Tests.Startup;
using Billing.Infra.Tests.Bicep;

namespace Billing.Infra.Tests;

/// <summary>The worker starts with the app settings the template deploys: every options validation it runs at start-up passes.</summary>
[Collection(DeployedTemplateGroup.Name)]
public sealed partial class WorkerStartupTests(DeployedTemplate template)
{
    /// <summary>What Key Vault returns for each reference: the secrets the deployment wrote from the test's parameters.</summary>
    private static readonly IReadOnlyDictionary<string, string> SecretsWritten = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["stripe-secret-key"] = DeployedTemplate.Parameters.StripeSecretKey,
        ["stripe-webhook-secret-0"] = DeployedTemplate.Parameters.StripeWebhookSecret,
        ["stripe-webhook-secret-1"] = DeployedTemplate.Parameters.StripeWebhookSecret, // no previous secret: the first again
    };

    /// <summary>A value of the shape Azure gives each resource property a setting reads (known only once deployed).</summary>
    private static readonly IReadOnlyDictionary<string, string> ResourceProperties = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["primaryEndpoints.blob"] = "https://stinfratest.blob.core.windows.net/",
        ["primaryEndpoints.queue"] = "https://stinfratest.queue.core.windows.net/",
        ["clientId"] = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        ["documentEndpoint"] = "https://cosmos-billing-infratest.documents.azure.com:443/",
        ["ConnectionString"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
    };

    [Fact]
    public void The_deployed_settings_pass_every_start_up_validation_of_the_worker()
    {
        var settings = template.AppSettings().ToDictionary(s => s.Key, s => (string?)Deployed(s.Key, s.Value), StringComparer.Ordinal);

        // Azure runs the app in the Production environment: only appsettings.json of the app is read besides them.
        var failure = WorkerStartup.Failure(Path.Combine(BicepCli.RepositoryRoot, "src", "Billing.FunctionApp"), "Production", settings);

        Assert.True(failure is null, failure);
    }

    [Fact]
    public void A_deployed_value_the_validators_refuse_fails_the_check()
    {
        var settings = template.AppSettings().ToDictionary(s => s.Key, s => (string?)Deployed(s.Key, s.Value), StringComparer.Ordinal);
        settings["Stripe__RequestTimeout"] = "00:01:20";

        var failure = WorkerStartup.Failure(Path.Combine(BicepCli.RepositoryRoot, "src", "Billing.FunctionApp"), "Production", settings);

        Assert.NotNull(failure);
        Assert.Contains("Stripe:RequestTimeout", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void The_published_development_api_key_configured_in_Azure_stops_the_start_naming_the_setting()
    {
        // The hash of local-development-usage-key, as appsettings.Development.json and local.settings.sample.json have it
        // (and docs/api.md prints the key): anyone could meter usage for any account with it.
        var settings = template.AppSettings().ToDictionary(s => s.Key, s => (string?)Deployed(s.Key, s.Value), StringComparer.Ordinal);
        settings["Billing__ServiceAuth__ApiKeys__0__Name"] = "backend";
        settings["Billing__ServiceAuth__ApiKeys__0__Sha256"] = "B21CD3DF75E4B72FC266C8657311DBE9D0A5C322BA28998DDDEFB66146F2F01A";

        var failure = WorkerStartup.Failure(Path.Combine(BicepCli.RepositoryRoot, "src", "Billing.FunctionApp"), "Production", settings);

        Assert.NotNull(failure);
        Assert.Contains("Billing:ServiceAuth:ApiKeys:0:Sha256 is the hash of the published development key", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_raised_Stripe_rate_limit_on_few_instances_deploys_a_budget_the_worker_accepts()
    {
        // Stripe raises an account's limit on request: 1000 per second on one instance made 800 per instance, over the
        // 100 the worker takes (Stripe:RequestsPerSecond), so the deployment succeeded and the app did not start.
        var directory = Directory.CreateTempSubdirectory("billing-infra-rate-").FullName;
        try
        {
            var (result, resources, _) = await DeployedTemplate.SnapshotAsync(directory, new Dictionary<string, string>
            {
                ["stripeRateLimit"] = "1000",
                ["maximumInstanceCount"] = "1",
            });
            Assert.True(result.ExitCode == 0, result.Output);
            var settings = DeployedTemplate.AppSettingsOf(resources).ToDictionary(s => s.Key, s => (string?)Deployed(s.Key, s.Value), StringComparer.Ordinal);

            var failure = WorkerStartup.Failure(Path.Combine(BicepCli.RepositoryRoot, "src", "Billing.FunctionApp"), "Production", settings);

            Assert.True(failure is null, failure);
            Assert.Equal("100", settings["Stripe__RequestsPerSecond"]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The value the worker sees: a known one as is, a Key Vault reference as its secret, a resource's property as a value of its shape.</summary>
    private static string Deployed(string name, ArmValue value)
    {
        switch (value)
        {
            case ArmText text:
                return text.Value;
            case ArmNumber number:
                return number.Value.ToString(CultureInfo.InvariantCulture);
            case ArmUnresolved { Text: var expression }:
                if (KeyVaultReference().Match(expression) is { Success: true } secret)
                {
                    return SecretsWritten[secret.Groups["secret"].Value];
                }

                var resolved = ResourceReference().Replace(expression, m => ResourceProperties.TryGetValue(m.Groups["property"].Value, out var standIn)
                    ? $"'{standIn}'"
                    : throw new Xunit.Sdk.XunitException($"{name}: no stand-in for the resource property '{m.Groups["property"].Value}' (add one to ResourceProperties)."));
                if (Literal().Match(resolved) is { Success: true } literal)
                {
                    return literal.Groups["value"].Value;
                }

                if (FormatOfOne().Match(resolved) is { Success: true } format)
                {
                    return string.Format(CultureInfo.InvariantCulture, format.Groups["format"].Value, format.Groups["value"].Value);
                }

                throw new Xunit.Sdk.XunitException($"{name}: the expression is not one this test can stand in for: {expression}");
            default:
                throw new Xunit.Sdk.XunitException($"{name} is not a setting value: {value}");
        }
    }

    [GeneratedRegex(@"^format\('@Microsoft\.KeyVault\(SecretUri=\{0\}\)', reference\('[^']*/secrets/(?<secret>[^'/]+)', '[^']*'\)\.secretUriWithVersion\)$")]
    private static partial Regex KeyVaultReference();

    [GeneratedRegex(@"reference\('[^']*', '[^']*'\)\.(?<property>[A-Za-z.]+)")]
    private static partial Regex ResourceReference();

    [GeneratedRegex(@"^'(?<value>[^']*)'$")]
    private static partial Regex Literal();

    [GeneratedRegex(@"^format\('(?<format>[^']*)', '(?<value>[^']*)'\)$")]
    private static partial Regex FormatOfOne();
}
