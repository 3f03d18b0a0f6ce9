using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Billing.Application.Operations;
using Billing.FunctionApp.Health;
using Billing.FunctionApp.OpenApi;
using Billing.TestSupport;

namespace Billing.FunctionApp.Tests.OpenApi;

/// <summary>
/// Every response schema of the OpenAPI document against the type the server serialises (System.Text.Json's web
/// defaults, as <c>Results.Json</c> writes): a member written on every answer (null included, when its type allows it)
/// is <c>required</c>, one left out when null (<c>JsonIgnoreCondition.WhenWritingNull</c>) is not, and the schema names
/// exactly the members written. Inline object schemas are checked against their member's type too.
/// </summary>
public sealed class OpenApiResponseSchemaTests
{
    private static readonly JsonNode Document = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "src/Billing.FunctionApp/OpenApi/openapi.json")))!;

    /// <summary>Response schemas whose type is not named after them.</summary>
    private static readonly Dictionary<string, Type> Named = new(StringComparer.Ordinal)
    {
        ["DependencyHealthResponse"] = typeof(HealthFunction.DependencyResponse),
        ["CreditBalance"] = typeof(Api.Contracts.CreditBalanceResponse),
        ["CreditGrant"] = typeof(Api.Contracts.CreditGrantResponse),
        ["CreditPart"] = typeof(Api.Contracts.CreditPartResponse),
        ["CreditEntry"] = typeof(Api.Contracts.CreditEntryResponse),
    };

    /// <summary>Problem details (written by ASP.NET Core's problem-details writer, checked by the problem tests) and request bodies.</summary>
    private static readonly HashSet<string> NotResponses = new(StringComparer.Ordinal)
    {
        "ProblemDetails", "HttpValidationProblemDetails", "QuotaProblemDetails", "UsageBatchProblemDetails", "UsageBatchRequest",
    };

    public static TheoryData<string> ResponseSchemas()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in Document["components"]!["schemas"]!.AsObject())
        {
            if (!NotResponses.Contains(name) && !name.EndsWith("Request", StringComparison.Ordinal) && !name.EndsWith("Body", StringComparison.Ordinal))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ResponseSchemas))]
    public void A_response_schema_requires_exactly_the_members_the_server_always_writes(string schema)
    {
        var type = TypeOf(schema);
        var problems = new List<string>();

        Compare(Document["components"]!["schemas"]![schema]!, type, schema, problems);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static void Compare(JsonNode schema, Type type, string at, List<string> problems)
    {
        var written = Members(type);
        var documented = schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var required = (schema["required"]?.AsArray() ?? []).Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, always, _) in written.Where(m => !documented.Contains(m.Name)))
        {
            problems.Add($"{at}: the server writes '{name}' but the schema does not describe it");
        }

        foreach (var name in documented.Where(d => written.All(m => m.Name != d)))
        {
            problems.Add($"{at}: the schema describes '{name}' but the server never writes it");
        }

        foreach (var (name, always, memberType) in written.Where(m => documented.Contains(m.Name)))
        {
            if (always && !required.Contains(name))
            {
                problems.Add($"{at}: '{name}' is on every answer but not required");
            }
            else if (!always && required.Contains(name))
            {
                problems.Add($"{at}: '{name}' is left out when null but required");
            }

            var property = schema["properties"]![name]!;
            var items = property["items"];
            if (property["properties"] is not null)
            {
                Compare(property, memberType, $"{at}.{name}", problems);
            }
            else if (items?["properties"] is not null && ElementType(memberType) is { } element)
            {
                Compare(items, element, $"{at}.{name}[]", problems);
            }
        }
    }

    /// <summary>Each member as the serializer writes it: its name, whether every answer carries it, and its type.</summary>
    private static List<(string Name, bool Always, Type Type)> Members(Type type)
    {
        var info = JsonSerializerOptions.Web.GetTypeInfo(type);
        return [.. info.Properties.Where(p => p.Get is not null).Select(p =>
        {
            var ignore = (p.AttributeProvider as MemberInfo)?.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition;
            return (p.Name, ignore is null or JsonIgnoreCondition.Never, p.PropertyType);
        })];
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0]
        : null;

    private static Type TypeOf(string schema)
    {
        if (Named.TryGetValue(schema, out var named))
        {
            return named;
        }

        var candidates = new[] { typeof(OpenApiFunction).Assembly, typeof(PoisonMessageView).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.Name == schema && !t.IsAbstract)
            .ToList();
        return Assert.Single(candidates);
    }
}
