using System.Text.Json.Nodes;
using Billing.StripeEmulator.Configuration;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Webhooks;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Controls;

/// <summary>
/// Delivery controls: `POST /_emulator/webhooks/hold`, `/release` (`order=creation|reverse|shuffle`, `seed`),
/// `/duplicates` (`enabled`), and `GET|POST /_emulator/webhook_endpoints` (`url`, optional `secret`, `api_version`).
/// </summary>
internal static class WebhookControls
{
    public static IEndpointRouteBuilder MapWebhookControls(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/_emulator/webhooks/hold", (HttpContext context, WebhookDispatcher dispatcher) =>
        {
            context.Params().AllowOnly();
            dispatcher.Hold();
            return StripeResults.Json(Status(dispatcher));
        });
        routes.MapPost("/_emulator/webhooks/release", Release);
        routes.MapPost("/_emulator/webhooks/duplicates", Duplicates);
        routes.MapGet("/_emulator/webhook_endpoints", ListEndpoints);
        routes.MapPost("/_emulator/webhook_endpoints", AddEndpoint);
        return routes;
    }

    private static IResult Release(HttpContext context, WebhookDispatcher dispatcher)
    {
        var p = context.Params().AllowOnly("order", "seed");
        var order = p.OneOf("order", "creation", "reverse", "shuffle") switch
        {
            "reverse" => ReleaseOrder.Reverse,
            "shuffle" => ReleaseOrder.Shuffle,
            _ => ReleaseOrder.Creation,
        };
        var seed = p.Long("seed");
        if (seed is < int.MinValue or > int.MaxValue)
        {
            throw StripeApiException.ParameterInvalid("seed", "seed must fit in 32 bits.", "parameter_invalid_integer");
        }

        var released = dispatcher.Release(order, (int?)seed);
        var status = Status(dispatcher);
        status["released"] = released;
        return StripeResults.Json(status);
    }

    private static IResult Duplicates(HttpContext context, WebhookDispatcher dispatcher)
    {
        var p = context.Params().AllowOnly("enabled");
        dispatcher.SetDuplicates(p.Bool("enabled") ?? throw StripeApiException.ParameterMissing("enabled"));
        return StripeResults.Json(Status(dispatcher));
    }

    private static IResult ListEndpoints(HttpContext context, WebhookEndpointRegistry registry)
    {
        context.Params().AllowOnly();
        return StripeResults.Json(StripeJson.List("/_emulator/webhook_endpoints", registry.All.Select(e => (JsonNode)Describe(e, includeSecret: false)), hasMore: false));
    }

    private static IResult AddEndpoint(HttpContext context, WebhookEndpointRegistry registry)
    {
        var p = context.Params().AllowOnly("url", "secret", "api_version");
        var text = p.RequireString("url");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw StripeApiException.ParameterInvalid("url", $"Invalid URL: {text} must be an absolute http(s) URL.", "url_invalid");
        }

        var secret = p.NonEmptyString("secret") ?? "whsec_" + IdGenerator.Random(32);
        if (!secret.StartsWith("whsec_", StringComparison.Ordinal))
        {
            throw StripeApiException.ParameterInvalid("secret", "A signing secret starts with 'whsec_'.");
        }

        var apiVersion = p.NonEmptyString("api_version") ?? EventShape.ApiVersion;
        if (!ApiVersions.IsValid(apiVersion))
        {
            throw StripeApiException.ParameterInvalid("api_version", $"Invalid API version: {apiVersion} (example: {EventShape.ApiVersion}).");
        }

        return StripeResults.Json(Describe(registry.Add(url, secret, apiVersion), includeSecret: true));
    }

    private static JsonObject Status(WebhookDispatcher dispatcher) => new()
    {
        ["object"] = "emulator.webhooks",
        ["holding"] = dispatcher.Holding,
        ["duplicates"] = dispatcher.Duplicates,
    };

    private static JsonObject Describe(WebhookEndpoint endpoint, bool includeSecret)
    {
        var json = new JsonObject
        {
            ["id"] = endpoint.Id,
            ["object"] = "webhook_endpoint",
            ["url"] = endpoint.Url.ToString(),
            ["enabled_events"] = StripeJson.Strings(["*"]),
            ["api_version"] = endpoint.ApiVersion,
            ["source"] = endpoint.FromConfiguration ? "configuration" : "runtime",
        };
        if (includeSecret)
        {
            json["secret"] = endpoint.Secret;
        }

        return json;
    }
}
