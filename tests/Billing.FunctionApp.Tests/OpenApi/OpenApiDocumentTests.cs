using System.Text.Json.Nodes;
using Billing.TestSupport;

namespace Billing.FunctionApp.Tests.OpenApi;

/// <summary>The hand-kept OpenAPI document and the functions the worker declares describe the same HTTP surface.</summary>
public sealed class OpenApiDocumentTests
{
    private static readonly JsonNode Document = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "src/Billing.FunctionApp/OpenApi/openapi.json")))!;

    [Fact]
    public void Every_http_function_is_documented_with_its_methods_and_nothing_else_is()
    {
        var declared = FunctionMetadata.Read(FunctionAppProcess.BuildOutput)
            .Where(f => f.Trigger == "httpTrigger")
            .SelectMany(f => f.Methods.Select(m => $"{m} /api/{f.Target}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var documented = Document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Where(op => op.Key != "parameters").Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(declared, documented);
    }

    [Fact]
    public void Every_operation_has_an_id_responses_with_schemas_and_problem_answers()
    {
        foreach (var (path, item) in Document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(op => op.Key != "parameters"))
            {
                var name = $"{method.ToUpperInvariant()} {path}";
                Assert.False(string.IsNullOrEmpty((string?)operation!["operationId"]), name + " has no operationId");
                var responses = operation["responses"]!.AsObject();
                Assert.Contains(responses, r => r.Key.StartsWith('2'));
                foreach (var (status, response) in responses)
                {
                    var content = response!["content"]?.AsObject();
                    Assert.True(content is { Count: > 0 }, $"{name} {status} has no content schema");
                    if (!status.StartsWith('2') && path != "/api/health") // health answers its report, also when 503
                    {
                        Assert.True(content!.ContainsKey("application/problem+json"), $"{name} {status} is not problem+json");
                    }
                }
            }
        }
    }
}
