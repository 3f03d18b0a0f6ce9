using System.Globalization;
using System.Text.Json.Nodes;

namespace Billing.Stripe.Tests.Contract;

/// <summary>Checks flattened form/query parameters (<c>a[b][0]=v</c>) against an OpenAPI schema: every parameter
/// must exist (recursing through properties, array items, anyOf alternatives and additionalProperties), scalar
/// values must fit the declared type, enum and maxLength, and required properties of every object sent must be present.</summary>
internal sealed class SpecParameterValidator(StripeSpec spec)
{
    public List<string> Validate(IEnumerable<KeyValuePair<string, string>> parameters, JsonObject schema)
    {
        var errors = new List<string>();
        var root = ParameterNode.Build(parameters, errors);
        errors.AddRange(Validate(root, schema, string.Empty));
        return errors;
    }

    private List<string> Validate(ParameterNode node, JsonNode schemaNode, string path)
    {
        var schema = spec.Resolve(schemaNode).AsObject();
        var alternatives = (schema["anyOf"] ?? schema["oneOf"])?.AsArray();
        if (alternatives is not null)
        {
            List<string>? best = null;
            foreach (var alternative in alternatives)
            {
                var errors = Validate(node, alternative!, path);
                if (errors.Count == 0)
                {
                    return errors;
                }

                if (best is null || errors.Count < best.Count)
                {
                    best = errors;
                }
            }

            return best ?? [$"{path}: no alternative in anyOf"];
        }

        var type = schema["type"]?.GetValue<string>() ?? (schema["properties"] is not null ? "object" : null);
        return node.Value is { } value ? ValidateScalar(value, type, schema, path) : ValidateNested(node, type, schema, path);
    }

    private static List<string> ValidateScalar(string value, string? type, JsonObject schema, string path)
    {
        var errors = new List<string>();
        var fits = type switch
        {
            "string" => true,
            "integer" => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "number" => decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _),
            "boolean" => value is "true" or "false",
            _ => false,
        };
        if (!fits)
        {
            errors.Add($"{path}: value '{value}' does not fit type '{type ?? "(none)"}'");
            return errors;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => a?.ToString() == value))
        {
            errors.Add($"{path}: '{value}' is not one of [{string.Join(", ", allowed)}]");
        }

        if (schema["maxLength"] is JsonNode maxLength && value.Length > maxLength.GetValue<int>())
        {
            errors.Add($"{path}: longer than {maxLength} characters");
        }

        return errors;
    }

    private List<string> ValidateNested(ParameterNode node, string? type, JsonObject schema, string path)
    {
        var errors = new List<string>();
        if (type == "array")
        {
            var index = 0;
            foreach (var (key, child) in node.Children)
            {
                if (key != index.ToString(CultureInfo.InvariantCulture))
                {
                    errors.Add($"{path}[{key}]: array items must be indexed 0, 1, 2, ...");
                }

                errors.AddRange(Validate(child, schema["items"]!, $"{path}[{key}]"));
                index++;
            }

            return errors;
        }

        if (type != "object")
        {
            errors.Add($"{path}: nested parameters sent where the spec expects '{type ?? "(no type)"}'");
            return errors;
        }

        var properties = schema["properties"]?.AsObject();
        var additional = schema["additionalProperties"] as JsonObject;
        foreach (var (key, child) in node.Children)
        {
            var childPath = path.Length == 0 ? key : $"{path}[{key}]";
            if (properties?[key] is JsonNode propertySchema)
            {
                errors.AddRange(Validate(child, propertySchema, childPath));
            }
            else if (additional is not null)
            {
                errors.AddRange(Validate(child, additional, childPath));
            }
            else
            {
                errors.Add($"{childPath}: no such parameter in the spec");
            }
        }

        foreach (var required in schema["required"]?.AsArray() ?? [])
        {
            var name = required!.GetValue<string>();
            if (!node.Children.ContainsKey(name))
            {
                errors.Add($"{(path.Length == 0 ? name : $"{path}[{name}]")}: required by the spec but not sent");
            }
        }

        return errors;
    }

    /// <summary>The flattened parameters as a tree: <c>a[b][0]=v</c> becomes a → b → 0 = v.</summary>
    private sealed class ParameterNode
    {
        public string? Value { get; private set; }

        public Dictionary<string, ParameterNode> Children { get; } = new(StringComparer.Ordinal);

        public static ParameterNode Build(IEnumerable<KeyValuePair<string, string>> parameters, List<string> errors)
        {
            var root = new ParameterNode();
            foreach (var (key, value) in parameters)
            {
                var node = root;
                foreach (var segment in Segments(key))
                {
                    if (!node.Children.TryGetValue(segment, out var child))
                    {
                        child = new ParameterNode();
                        node.Children[segment] = child;
                    }

                    node = child;
                }

                if (node.Value is not null || node.Children.Count > 0)
                {
                    errors.Add($"{key}: sent twice or both as a value and as an object");
                }

                node.Value = value;
            }

            return root;
        }

        private static IEnumerable<string> Segments(string key)
        {
            var bracket = key.IndexOf('[', StringComparison.Ordinal);
            yield return bracket < 0 ? key : key[..bracket];
            while (bracket >= 0)
            {
                var close = key.IndexOf(']', bracket);
                yield return key[(bracket + 1)..close];
                bracket = key.IndexOf('[', close);
            }
        }
    }
}
