using System.Text.Json.Serialization;

namespace Billing.FunctionApp.Hosting.FunctionMetadata;

/// <summary>One entry of a function.json "bindings" array (the fields this app uses).</summary>
public sealed record FunctionBinding
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("direction")]
    public required string Direction { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("authLevel")]
    public string? AuthLevel { get; init; }

    [JsonPropertyName("methods")]
    public IReadOnlyList<string>? Methods { get; init; }

    [JsonPropertyName("route")]
    public string? Route { get; init; }

    [JsonPropertyName("queueName")]
    public string? QueueName { get; init; }

    [JsonPropertyName("connection")]
    public string? Connection { get; init; }

    [JsonPropertyName("schedule")]
    public string? Schedule { get; init; }

    [JsonPropertyName("runOnStartup")]
    public bool RunOnStartup { get; init; }

    [JsonPropertyName("useMonitor")]
    public bool? UseMonitor { get; init; }
}
