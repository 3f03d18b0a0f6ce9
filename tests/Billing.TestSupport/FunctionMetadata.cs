using System.Text.Json.Nodes;

namespace Billing.TestSupport;

/// <summary>One function as the worker SDK's <c>functions.metadata</c> describes it: its trigger and what the trigger names.</summary>
/// <param name="Target">The route of an HTTP trigger, the queue of a queue trigger, the schedule of a timer trigger.</param>
public sealed record FunctionMetadata(string Name, string Trigger, string? Target, IReadOnlyList<string> Methods)
{
    public static IReadOnlyList<FunctionMetadata> Read(string appRoot) =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(appRoot, "functions.metadata")))!.AsArray().Select(function =>
        {
            var trigger = function!["bindings"]!.AsArray().Single(b => ((string)b!["type"]!).EndsWith("Trigger", StringComparison.Ordinal))!;
            var type = (string)trigger["type"]!;
            return new FunctionMetadata(
                (string)function["name"]!,
                type,
                (string?)(trigger["route"] ?? trigger["queueName"] ?? trigger["schedule"]),
                [.. (trigger["methods"]?.AsArray() ?? []).Select(m => ((string)m!).ToUpperInvariant())]);
        })];
}
