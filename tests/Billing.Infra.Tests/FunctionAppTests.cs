using Billing.Infra.Tests.Bicep;
using Billing.Infrastructure.StripeApi;
using Microsoft.Extensions.Options;

namespace Billing.Infra.Tests;

[Collection(DeployedTemplateGroup.Name)]
public sealed class FunctionAppTests(DeployedTemplate template)
{
    [Fact]
    public void The_app_runs_on_Flex_Consumption_with_its_user_assigned_identity()
    {
        var plan = template.OneOf("Microsoft.Web/serverfarms");
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal(true, (bool?)plan["properties"]!["reserved"]); // Linux

        var site = template.OneOf("Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal((string?)plan["id"], (string?)site["properties"]!["serverFarmId"]);
        Assert.Equal("api", (string?)site["tags"]!["azd-service-name"]);
        var identity = (string)template.OneOf("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Equal([identity], site["identity"]!["userAssignedIdentities"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Only_HTTPS_with_TLS_1_2_and_no_FTP_or_basic_publishing_credentials()
    {
        var properties = template.OneOf("Microsoft.Web/sites")["properties"]!;
        Assert.Equal(true, (bool?)properties["httpsOnly"]);
        Assert.Equal("1.2", (string?)properties["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("Disabled", (string?)properties["siteConfig"]!["ftpsState"]);

        var policies = template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");
        Assert.Equal(["ftp", "scm"], policies.Select(DeployedTemplate.ShortName).Order());
        Assert.All(policies, p => Assert.Equal(false, (bool?)p["properties"]!["allow"]));
    }

    [Fact]
    public void Scale_is_bounded_and_nothing_is_always_ready_by_default()
    {
        var scale = template.OneOf("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;
        Assert.Equal(20, (int)scale["maximumInstanceCount"]!); // the default of main.bicep; Stripe's budget per instance is shared over it (below)
        Assert.Empty(scale["alwaysReady"]!.AsArray());
    }

    [Fact]
    public void Every_instance_at_full_scale_together_stays_under_Stripe_s_rate_limit_for_the_key_s_mode()
    {
        // Each instance has its own request budget: the budgets of all instances add up. The deployment's key is a
        // test-mode one (sk_test_), for which Stripe allows 25 requests/s, not live mode's 100.
        Assert.StartsWith("sk_test_", DeployedTemplate.Parameters.StripeSecretKey, StringComparison.Ordinal);
        var instances = (int)template.OneOf("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!["maximumInstanceCount"]!;

        var perInstance = BudgetWith(DeployedTemplate.Parameters.StripeSecretKey);

        Assert.InRange(perInstance, 1, 100);
        Assert.True(perInstance * instances <= 20, $"{instances} instances x {perInstance} requests/s exceed 80 % of Stripe's test-mode limit of 25/s");
    }

    [Theory]
    [InlineData("sk_live_InfraTestLiveKeyValue", 4)] // 80 % of live mode's 100/s over 20 instances
    [InlineData("rk_live_InfraTestLiveKeyValue", 4)]
    [InlineData("sk_test_InfraTestSecretKeyValue", 1)] // 80 % of test mode's 25/s over 20 instances
    [InlineData("rk_test_InfraTestRestrictedKey", 1)]
    public void Each_instance_s_Stripe_budget_follows_the_mode_of_the_key_it_runs_with(string key, int expected) =>
        Assert.Equal(expected, BudgetWith(key));

    /// <summary>The Stripe budget a worker with the deployed settings takes with <paramref name="key"/> (a Key Vault reference: either mode may be deployed).</summary>
    private int BudgetWith(string key)
    {
        var settings = template.AppSettings();
        int? Setting(string name) => settings.TryGetValue(name, out var value)
            ? int.Parse(Assert.IsType<ArmText>(value).Value, System.Globalization.CultureInfo.InvariantCulture)
            : null;
        using var budget = new StripeRequestBudget(Options.Create(new StripeOptions
        {
            SecretKey = key,
            RequestsPerSecond = Setting("Stripe__RequestsPerSecond") ?? StripeOptions.DefaultRequestsPerSecond,
            TestModeRequestsPerSecond = Setting("Stripe__TestModeRequestsPerSecond"),
        }));
        return (int)budget.RequestsPerSecond;
    }

    [Fact]
    public void Alerts_go_to_the_given_address_for_poison_messages_failures_and_5xx()
    {
        var group = template.OneOf("Microsoft.Insights/actionGroups");
        Assert.Equal([DeployedTemplate.Parameters.AlertEmail], group["properties"]!["emailReceivers"]!.AsArray().Select(r => (string)r!["emailAddress"]!));

        var applicationInsights = (string)template.OneOf("Microsoft.Insights/components")["id"]!;
        var rules = template.OfType("Microsoft.Insights/scheduledQueryRules")
            .Where(r => r["properties"]!["scopes"]!.AsArray().Any(s => (string?)s == applicationInsights)).ToList(); // CosmosTests checks the one on the workspace
        var queries = rules.Select(r => (string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!).ToList();
        Assert.Equal(3, rules.Count);
        Assert.Contains(queries, q => q.Contains("Message has reached MaxDequeueCount", StringComparison.Ordinal)); // the host's poison-move log line
        Assert.Contains(queries, q => q.Contains("success == false", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("toint(resultCode) >= 500", StringComparison.Ordinal));
        Assert.All(rules, r => Assert.Equal([applicationInsights], r["properties"]!["scopes"]!.AsArray().Select(s => (string)s!)));
        Assert.All(rules, r => Assert.Equal([(string)group["id"]!], r["properties"]!["actions"]!["actionGroups"]!.AsArray().Select(s => (string)s!)));
    }

    [Fact]
    public void The_requests_the_alerts_count_are_all_logged_by_the_host()
    {
        // The host writes the requests table from Host.Results: a successful invocation (and so every 5xx answer the
        // worker's middleware makes) at Information, a failed one at Error. Above Information the 5xx rate never fires.
        var host = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "host.json")))!["logging"]!;
        var level = (string?)host["logLevel"]!["Host.Results"] ?? (string?)host["logLevel"]!["default"];

        Assert.Contains(level, new[] { "Trace", "Debug", "Information" });
        Assert.Contains("Request", ((string?)host["applicationInsights"]!["samplingSettings"]!["excludedTypes"] ?? "").Split(';'));
    }
}
