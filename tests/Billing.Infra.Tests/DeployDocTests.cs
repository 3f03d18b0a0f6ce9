using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Billing.Infra.Tests.Bicep;

namespace Billing.Infra.Tests;

/// <summary>docs/deploy.md tells the operator what the code needs: the webhook's events and the settings left out.</summary>
public sealed partial class DeployDocTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "docs", "deploy.md"));

    [Fact]
    public void The_webhook_endpoint_is_registered_for_exactly_the_events_the_handlers_handle()
    {
        var handling = Path.Combine(BicepCli.RepositoryRoot, "src", "Billing.Application", "StripeEvents", "Handling");
        var handled = Directory.EnumerateFiles(handling, "*.cs")
            .SelectMany(file => EventTypeLiteral().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        var block = Doc[Doc.IndexOf("## Register the Stripe webhook endpoint", StringComparison.Ordinal)..];
        var listed = block[(block.IndexOf("```", StringComparison.Ordinal) + 3)..];
        listed = listed[..listed.IndexOf("```", StringComparison.Ordinal)];
        var enabled = EnabledEvent().Matches(block).Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(handled);
        Assert.Equal(handled.Order(StringComparer.Ordinal), listed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
        Assert.Equal(handled.Order(StringComparer.Ordinal), enabled.Order(StringComparer.Ordinal));
        Assert.Contains("api_version=2026-10-28.endive", block, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_setting_kept_out_of_Azure_is_explained()
    {
        Assert.All(AppSettingsTests.LocalOnly.Keys, key => Assert.Contains($"`{key}`", Doc, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_azd_variable_the_parameters_file_maps_is_in_the_inputs_table()
    {
        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "infra", "main.parameters.json")))!["parameters"]!.AsObject();
        var mapped = parameters
            .Select(p => (Parameter: p.Key, Variable: AzdVariable().Match((string?)p.Value!["value"] ?? "").Groups[1].Value))
            .Where(p => !p.Variable.StartsWith("AZURE_", StringComparison.Ordinal)) // azd asks for these itself
            .ToList();

        Assert.NotEmpty(mapped);
        Assert.All(mapped, p => Assert.Contains($"| `{p.Variable}` | `{p.Parameter}` |", Doc, StringComparison.Ordinal));
    }

    [Fact]
    public void An_upgrade_provisions_the_template_before_the_new_code_runs_and_a_rollback_says_what_becomes_of_the_refused_work()
    {
        // The template alone creates a new procedure id and sets new settings: `azd deploy api` alone leaves new code without them.
        var upgrade = Section("## Upgrade");
        Assert.Contains("`azd up`", upgrade, StringComparison.Ordinal);
        Assert.Contains("never with `azd deploy api` alone", upgrade, StringComparison.Ordinal);

        // Work an older version refuses (a newer document) ends in the poison queues after the host's attempts: replayed after rolling forward.
        var rollback = Section("## Roll back");
        Assert.Contains("/api/billing/admin/poison/replay", rollback, StringComparison.Ordinal);
        Assert.Contains("roll the code back first", rollback, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_api_key_rotates_through_the_azd_array_beside_the_old_one_under_a_name_of_its_own()
    {
        // The app settings are made from BILLING_SERVICE_API_KEYS by every provision, and two keys of one name stop the
        // app's start (ServiceAuthOptionsValidator): a rotation that ignores either refuses the caller's calls.
        var rotation = Section("## Rotate a service API key");
        Assert.Contains("BILLING_SERVICE_API_KEYS", rotation, StringComparison.Ordinal);
        Assert.Contains("names are unique", rotation, StringComparison.Ordinal);
        Assert.Contains("billing apikey new --name", rotation, StringComparison.Ordinal);
    }

    private static string Section(string heading)
    {
        var start = Doc.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"deploy.md has no section '{heading}'.");
        var end = Doc.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? Doc[start..] : Doc[start..end];
    }

    [GeneratedRegex(@"^\$\{([A-Z0-9_]+)\}$")]
    private static partial Regex AzdVariable();

    [GeneratedRegex("\"((?:charge|checkout|customer|invoice|refund)\\.[a-z_.]+)\"")]
    private static partial Regex EventTypeLiteral();

    [GeneratedRegex(@"enabled_events\[\]=([a-z_.]+)")]
    private static partial Regex EnabledEvent();
}
