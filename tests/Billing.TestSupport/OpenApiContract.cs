using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Billing.TestSupport;

/// <summary>
/// Checks an answer of the app against the committed OpenAPI document (<c>src/Billing.FunctionApp/OpenApi/openapi.json</c>):
/// the operation exists, it documents the status and media type, and the body fits the schema (types with nullability,
/// required members, arrays, enums, <c>$ref</c>, <c>oneOf</c> and <c>anyOf</c>, each as "at least one fits"). The subset of JSON Schema the document uses, no more.
/// </summary>
public static class OpenApiContract
{
    private static readonly Lazy<JsonNode> Document = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp", "OpenApi", "openapi.json")))!);

    /// <summary>
    /// Every operation the document describes under <paramref name="pathPrefix"/>, as (method, path) with each
    /// <c>{parameter}</c> replaced by <paramref name="parameterValue"/>: e.g. every admin route, for a test that must cover all.
    /// </summary>
    public static IReadOnlyList<(HttpMethod Method, string Path)> Operations(string pathPrefix, string parameterValue)
    {
        ArgumentNullException.ThrowIfNull(pathPrefix);
        return [.. Document.Value["paths"]!.AsObject()
            .Where(p => p.Key.StartsWith(pathPrefix, StringComparison.Ordinal))
            .SelectMany(p => p.Value!.AsObject()
                .Where(o => o.Key is "get" or "post" or "put" or "delete" or "patch")
                .Select(o => (new HttpMethod(o.Key.ToUpperInvariant()), Regex.Replace(p.Key, "{[^}]+}", parameterValue))))];
    }

    /// <summary>Every operation that accepts the security scheme <paramref name="scheme"/> (e.g. <c>ApiKey</c>), path parameters filled with <paramref name="parameterValue"/>.</summary>
    public static IReadOnlyList<(HttpMethod Method, string Path)> SecuredBy(string scheme, string parameterValue) =>
        [.. Document.Value["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject()
                .Where(o => o.Key is "get" or "post" or "put" or "delete" or "patch"
                            && o.Value!["security"] is JsonArray security && security.Any(s => s is JsonObject requirement && requirement.ContainsKey(scheme)))
                .Select(o => (new HttpMethod(o.Key.ToUpperInvariant()), Regex.Replace(p.Key, "{[^}]+}", parameterValue))))];

    /// <summary>The problems found (empty when the answer fits the document).</summary>
    public static IReadOnlyList<string> Check(string method, string path, HttpStatusCode status, string? mediaType, string body)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var problems = new List<string>();
        var pathOnly = path.Split('?')[0];
        var operation = Document.Value["paths"]!.AsObject()
            .Where(p => Template(p.Key).IsMatch(pathOnly))
            .Select(p => p.Value![method.ToLowerInvariant()])
            .FirstOrDefault(o => o is not null);
        if (operation is null)
        {
            return [$"{method} {pathOnly} is not in the OpenAPI document"];
        }

        var response = operation["responses"]![((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (response is null)
        {
            return [$"{method} {pathOnly} does not document status {(int)status}"];
        }

        var content = response["content"]?.AsObject();
        if (content is null || content.Count == 0 || string.IsNullOrEmpty(body))
        {
            return problems;
        }

        var schema = mediaType is not null ? content[mediaType]?["schema"] : null;
        if (schema is null)
        {
            return [$"{method} {pathOnly} {(int)status} does not document the media type {mediaType}"];
        }

        using var json = JsonDocument.Parse(body);
        Validate(schema, json.RootElement, "$", problems);
        return problems;
    }

    private static Regex Template(string path) =>
        new("^" + Regex.Replace(Regex.Escape(path), @"\\\{[^}]+}", "[^/]+") + "$", RegexOptions.CultureInvariant);

    private static void Validate(JsonNode schema, JsonElement value, string at, List<string> problems)
    {
        if (schema["$ref"] is { } reference)
        {
            var name = ((string)reference!).Split('/')[^1];
            Validate(Document.Value["components"]!["schemas"]![name]!, value, at, problems);
            return;
        }

        if ((schema["oneOf"] ?? schema["anyOf"]) is JsonArray oneOf)
        {
            var fits = oneOf.Count(option =>
            {
                var attempt = new List<string>();
                Validate(option!, value, at, attempt);
                return attempt.Count == 0;
            });
            if (fits == 0)
            {
                problems.Add($"{at}: fits none of the {(schema["oneOf"] is not null ? "oneOf" : "anyOf")} schemas");
            }

            return;
        }

        var types = schema["type"] switch
        {
            JsonArray array => array.Select(t => (string)t!).ToList(),
            JsonValue single => [(string)single!],
            _ => [],
        };
        if (types.Count > 0 && !types.Any(t => Fits(t, value)))
        {
            problems.Add($"{at}: {value.ValueKind} is not {string.Join(" or ", types)}");
            return;
        }

        if (schema["enum"] is JsonArray values && value.ValueKind == JsonValueKind.String && !values.Any(v => (string?)v == value.GetString()))
        {
            problems.Add($"{at}: '{value.GetString()}' is not one of the documented values");
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var required in schema["required"]?.AsArray() ?? [])
            {
                if (!value.TryGetProperty((string)required!, out _))
                {
                    problems.Add($"{at}: the required member '{(string)required!}' is missing");
                }
            }

            var properties = schema["properties"]?.AsObject();
            foreach (var member in value.EnumerateObject())
            {
                if (properties?[member.Name] is { } property)
                {
                    Validate(property, member.Value, $"{at}.{member.Name}", problems);
                }
                else if (schema["additionalProperties"] is JsonObject additional)
                {
                    Validate(additional, member.Value, $"{at}.{member.Name}", problems);
                }
            }
        }
        else if (value.ValueKind == JsonValueKind.Array && schema["items"] is { } items)
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Validate(items, item, $"{at}[{i++}]", problems);
            }
        }
    }

    private static bool Fits(string type, JsonElement value) => type switch
    {
        "null" => value.ValueKind == JsonValueKind.Null,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => true,
    };
}
