using System.Text.Json.Nodes;

namespace Billing.TestSupport;

/// <summary>The <c>Values</c> of the committed <c>local.settings.sample.json</c>.</summary>
public static class SampleSettings
{
    public static Dictionary<string, string?> Read() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "local.settings.sample.json")))!["Values"]!.AsObject()
            .ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);
}
