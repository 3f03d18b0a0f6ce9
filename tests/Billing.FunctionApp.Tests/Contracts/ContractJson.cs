using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.FunctionApp.Tests.Http;
using Microsoft.AspNetCore.Http;

namespace Billing.FunctionApp.Tests.Contracts;

/// <summary>A contract as the app writes it on the wire (a function's <c>Results.Ok</c>, written by the host's System.Text.Json), compared with the JSON docs/api.md documents.</summary>
internal static class ContractJson
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<JsonNode> WireAsync<T>(T contract)
    {
        var (status, body) = await ProblemAnswerWritingTests.WriteAsync(Results.Ok(contract));
        Assert.Equal(StatusCodes.Status200OK, status);
        return JsonNode.Parse(body)!;
    }

    /// <summary>Equal as JSON (member order aside; array order, null versus absent, numbers and strings exactly).</summary>
    public static void Equal(string expected, JsonNode? actual)
    {
        var wanted = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(wanted, actual), $"expected {wanted?.ToJsonString(Readable)}{Environment.NewLine}     got {actual?.ToJsonString(Readable)}");
    }

    public static async Task AssertWireAsync<T>(string expected, T contract) => Equal(expected, await WireAsync(contract));
}
