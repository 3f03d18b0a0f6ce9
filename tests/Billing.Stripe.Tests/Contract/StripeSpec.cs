using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Billing.Stripe.Tests.Support;

namespace Billing.Stripe.Tests.Contract;

/// <summary>Stripe's 2023-08-16 OpenAPI spec with <see cref="SpecDeltas"/> applied: the 2026-07-29.dahlia contract
/// for the operations this client uses.</summary>
internal sealed class StripeSpec
{
    private static readonly Lazy<StripeSpec> Instance = new(Load);
    private readonly JsonObject root;

    private StripeSpec(JsonObject root) => this.root = root;

    public static StripeSpec Current => Instance.Value;

    public JsonObject Paths => root["paths"]!.AsObject();

    /// <summary>The operation for a concrete request path (e.g. /v1/customers/cus_1), preferring literal segments
    /// over templates (so /v1/customers/search is not taken for /v1/customers/{customer}).</summary>
    public (string Template, JsonObject Operation)? FindOperation(HttpMethod method, string requestPath)
    {
        var candidates = Paths
            .Where(p => Regex.IsMatch(requestPath, "^" + Regex.Replace(Regex.Escape(p.Key).Replace(@"\{", "{", StringComparison.Ordinal), "{[^/}]+}", "[^/]+") + "$"))
            .Where(p => p.Value![method.Method.ToLowerInvariant()] is JsonObject)
            .OrderBy(p => p.Key.Count(c => c == '{'))
            .ToList();
        return candidates.Count == 0 ? null : (candidates[0].Key, candidates[0].Value![method.Method.ToLowerInvariant()]!.AsObject());
    }

    /// <summary>The schema parameters are checked against: the form body schema for POST (and DELETE, whose
    /// parameters the spec declares as a body although clients send them in the query), the query parameters for GET.</summary>
    public static JsonObject ParameterSchema(HttpMethod method, JsonObject operation)
    {
        if (method != HttpMethod.Get)
        {
            return operation["requestBody"] is null ? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() } : SpecDeltas.FormSchema(operation);
        }

        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
        {
            if (parameter!["in"]!.GetValue<string>() != "query")
            {
                continue;
            }

            var name = parameter["name"]!.GetValue<string>();
            properties[name] = parameter["schema"]!.DeepClone();
            if (parameter["required"]?.GetValue<bool>() == true)
            {
                required.Add(name);
            }
        }

        return new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required };
    }

    public JsonNode Resolve(JsonNode schema)
    {
        while (schema is JsonObject o && o["$ref"] is JsonNode reference)
        {
            var path = reference.GetValue<string>().TrimStart('#', '/').Split('/');
            schema = path.Aggregate((JsonNode)root, (node, segment) => node[segment]!);
        }

        return schema;
    }

    private static StripeSpec Load()
    {
        var root = StripeSharedFiles.Spec.DeepClone().AsObject();
        var paths = root["paths"]!.AsObject();
        foreach (var delta in SpecDeltas.All)
        {
            var existing = paths[delta.Path]?[delta.Method] as JsonObject;
            if (delta.AddedOperation is { } added)
            {
                if (existing is not null)
                {
                    throw new InvalidOperationException($"Delta '{delta.Change}': {delta.Method} {delta.Path} already exists in the 2023 spec.");
                }

                if (paths[delta.Path] is not JsonObject pathItem)
                {
                    pathItem = new JsonObject();
                    paths[delta.Path] = pathItem;
                }

                pathItem[delta.Method] = JsonNode.Parse(added);
            }
            else
            {
                delta.Apply!(existing ?? throw new InvalidOperationException($"Delta '{delta.Change}': {delta.Method} {delta.Path} is not in the 2023 spec."));
            }
        }

        return new StripeSpec(root);
    }
}
