using System.Net;
using System.Text.Json;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>An answer of the app, read fully: status, headers and the JSON body (if any).</summary>
public sealed record ApiResponse(HttpStatusCode Status, string? MediaType, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    /// <summary>Reads the answer (the app's client already checked it against the OpenAPI document).</summary>
    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new ApiResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, headers, await response.Content.ReadAsStringAsync());
    }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>Asserts the status and returns the JSON body.</summary>
    public JsonElement ShouldBe(HttpStatusCode status)
    {
        Assert.True(Status == status, $"expected {(int)status}, got {(int)Status}: {Body}");
        return Json;
    }

    /// <summary>Asserts an RFC 9457 problem with this status, never to be cached, and returns it.</summary>
    public JsonElement ShouldBeProblem(HttpStatusCode status)
    {
        var problem = ShouldBe(status);
        Assert.Equal("application/problem+json", MediaType);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("traceId").GetString()), $"no traceId in {problem}");
        Assert.Equal("no-store", Header("Cache-Control"));
        return problem;
    }
}
