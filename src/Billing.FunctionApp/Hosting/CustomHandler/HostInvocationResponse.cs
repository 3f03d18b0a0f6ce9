using System.Text.Json.Serialization;

namespace Billing.FunctionApp.Hosting.CustomHandler;

/// <summary>What a custom handler answers the host: <c>{"Outputs":{},"Logs":[],"ReturnValue":null}</c>.</summary>
public sealed record HostInvocationResponse
{
    [JsonPropertyName("Outputs")]
    public IReadOnlyDictionary<string, object?> Outputs { get; init; } = new Dictionary<string, object?>();

    [JsonPropertyName("Logs")]
    public IReadOnlyList<string> Logs { get; init; } = [];

    [JsonPropertyName("ReturnValue")]
    public object? ReturnValue { get; init; }

    public static HostInvocationResponse Success { get; } = new();

    public static HostInvocationResponse Failure(string log) => new() { Logs = [log] };
}
