using System.Text.Json;

namespace Billing.StripeEmulator.Wire.Pipeline;

/// <summary>
/// Parses the query string and the form body (and, for the test controls, a JSON body) into one parameter tree,
/// read once so the idempotency layer and the handler see the same parameters.
/// </summary>
internal sealed class RequestParamsMiddleware(RequestDelegate next)
{
    private const int MaxBodyBytes = 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var root = FormNode.Map();
        AddPairs(root, context.Request.QueryString.Value?.TrimStart('?'));
        var contentType = context.Request.ContentType ?? string.Empty;
        if (context.Request.ContentLength is > MaxBodyBytes)
        {
            throw StripeApiException.InvalidRequest("The request body is too large.", null);
        }

        if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            using var reader = new StreamReader(context.Request.Body);
            AddPairs(root, await reader.ReadToEndAsync(context.RequestAborted));
        }
        else if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && !context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                FormParser.AddJson(root, document.RootElement);
            }
            catch (JsonException error)
            {
                throw StripeApiException.InvalidRequest($"Invalid JSON body: {error.Message}", null);
            }
        }

        context.SetParams(new StripeParams(root));
        await next(context);
    }

    private static void AddPairs(FormNode root, string? encoded)
    {
        if (string.IsNullOrEmpty(encoded))
        {
            return;
        }

        foreach (var pair in encoded.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]);
            FormParser.Add(root, key, value);
        }
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
