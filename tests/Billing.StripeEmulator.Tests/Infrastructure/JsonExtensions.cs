using System.Text.Json.Nodes;

namespace Billing.StripeEmulator.Tests.Infrastructure;

/// <summary>Short reads of Stripe JSON in assertions.</summary>
public static class JsonExtensions
{
    public static string Str(this JsonNode node, string property) =>
        node[property]?.GetValue<string>() ?? throw new InvalidOperationException($"'{property}' is missing or null in {node.ToJsonString()}");

    public static string? StrOrNull(this JsonNode node, string property) => node[property]?.GetValue<string>();

    public static long Number(this JsonNode node, string property) =>
        node[property]?.GetValue<long>() ?? throw new InvalidOperationException($"'{property}' is missing or null in {node.ToJsonString()}");

    public static bool Bool(this JsonNode node, string property) =>
        node[property]?.GetValue<bool>() ?? throw new InvalidOperationException($"'{property}' is missing or null in {node.ToJsonString()}");

    public static JsonArray Data(this JsonNode list) => list["data"]!.AsArray();

    public static JsonNode Item(this JsonNode subscription) => subscription["items"]!.Data()[0]!;
}
