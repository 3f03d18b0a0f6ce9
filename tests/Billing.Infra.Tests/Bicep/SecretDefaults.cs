using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Billing.Infra.Tests.Bicep;

/// <summary>
/// Finds secrets a compiled ARM template would carry in plain text, in the template and in every nested (module)
/// template: a secure parameter with a default other than empty, a parameter named like a secret that is not secure,
/// and any default that looks like a Stripe key or signing secret.
/// </summary>
public static partial class SecretDefaults
{
    public static IReadOnlyList<string> Find(JsonObject template)
    {
        var findings = new List<string>();
        Visit(template, "main", findings);
        return findings;
    }

    private static void Visit(JsonObject template, string where, List<string> findings)
    {
        if (template["parameters"] is JsonObject parameters)
        {
            foreach (var (name, node) in parameters)
            {
                if (node is not JsonObject declaration)
                {
                    continue;
                }

                var type = ((string?)declaration["type"] ?? "").ToLowerInvariant();
                var isSecure = type is "securestring" or "secureobject";
                var defaultValue = declaration["defaultValue"];
                if (isSecure && defaultValue is not null && !IsEmpty(defaultValue))
                {
                    findings.Add($"{where}: secure parameter '{name}' has a default value.");
                }

                if (!isSecure && SecretName().IsMatch(name))
                {
                    findings.Add($"{where}: parameter '{name}' is named like a secret but is not @secure().");
                }

                if (defaultValue is not null && StripeSecret().IsMatch(defaultValue.ToJsonString()))
                {
                    findings.Add($"{where}: the default of parameter '{name}' looks like a Stripe key or signing secret.");
                }
            }
        }

        foreach (var (name, nested) in NestedTemplates(template["resources"]))
        {
            Visit(nested, $"{where}/{name}", findings);
        }
    }

    private static IEnumerable<(string Name, JsonObject Template)> NestedTemplates(JsonNode? resources)
    {
        // languageVersion 2.0 templates keep resources in an object keyed by symbolic name, older ones in an array.
        var all = resources switch
        {
            JsonObject byName => byName.Select(p => (p.Key, p.Value as JsonObject)),
            JsonArray list => list.Select(r => (r is JsonObject o && o["name"] is JsonValue name ? name.ToString() : "?", r as JsonObject)),
            _ => [],
        };
        foreach (var (name, resource) in all)
        {
            if (resource?["properties"] is JsonObject properties && properties["template"] is JsonObject nested)
            {
                yield return (name, nested);
            }
        }
    }

    private static bool IsEmpty(JsonNode value) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length == 0,
        JsonObject o => o.Count == 0,
        _ => false,
    };

    /// <summary>Names a secret (not a secret's name, prefix or URI).</summary>
    [GeneratedRegex("(secret|password)(?!.*(Name|Prefix|Uri)$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"\b(sk|rk)_(live|test)_|\bwhsec_", RegexOptions.CultureInvariant)]
    private static partial Regex StripeSecret();
}
