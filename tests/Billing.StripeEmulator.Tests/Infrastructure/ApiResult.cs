using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Billing.StripeEmulator.Tests.Infrastructure;

/// <summary>A response from the emulator: status, parsed JSON body, headers.</summary>
public sealed record ApiResult(HttpStatusCode Status, JsonNode Body, HttpResponseHeaders Headers)
{
    public string Id => Body.Str("id");

    public JsonNode Error => Body["error"] ?? throw new InvalidOperationException($"No error in: {Body.ToJsonString()}");

    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public ApiResult EnsureOk()
    {
        if (Status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Expected 200, got {(int)Status}: {Body.ToJsonString()}");
        }

        return this;
    }
}
