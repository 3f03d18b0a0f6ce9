using System.Text;
using Billing.StripeEmulator.Configuration;
using Microsoft.Extensions.Options;

namespace Billing.StripeEmulator.Wire.Pipeline;

/// <summary>
/// `/v1` needs a test secret key, as Bearer (or Basic, `curl -u sk_test_...:`). Missing or invalid -> 401 in
/// Stripe's words. With `Emulator:ApiKeys` set only those keys are accepted. A `Stripe-Account` header (Connect) -> 403
/// `account_invalid`: the emulator knows no connected account.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<EmulatorOptions> options)
{
    private const string MissingKeyMessage =
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";

    public async Task InvokeAsync(HttpContext context)
    {
        var key = ReadKey(context.Request.Headers.Authorization.ToString());
        if (string.IsNullOrEmpty(key))
        {
            await RejectAsync(context, MissingKeyMessage);
            return;
        }

        if (!IsAccepted(key))
        {
            await RejectAsync(context, $"Invalid API Key provided: {Redact(key)}");
            return;
        }

        if (context.Request.Headers.TryGetValue("Stripe-Account", out var account) && !string.IsNullOrEmpty(account))
        {
            // Connect: the request would act on a connected account; the emulator has one account and knows no other,
            // which Stripe answers with 403 account_invalid rather than acting on the platform's objects.
            throw new StripeApiException(
                StatusCodes.Status403Forbidden,
                ErrorTypes.InvalidRequest,
                $"The provided key '{Redact(key)}' does not have access to account '{account}' (or that account does not exist). The Stripe emulator has one account and no Connect.",
                "account_invalid");
        }

        context.SetApiKey(key);
        await next(context);
    }

    private static string? ReadKey(string authorization)
    {
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization[7..].Trim();
        }

        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return colon < 0 ? decoded : decoded[..colon];
            }
            catch (FormatException)
            {
                return "invalid";
            }
        }

        return authorization.Length == 0 ? null : authorization;
    }

    private static string Redact(string key) =>
        key.Length <= 12 ? key[..Math.Min(key.Length, 3)] + "****" : $"{key[..8]}****{key[^4..]}";

    private static Task RejectAsync(HttpContext context, string message) =>
        ErrorWriter.WriteAsync(
            context,
            new StripeApiException(StatusCodes.Status401Unauthorized, ErrorTypes.InvalidRequest, message),
            response => response.Headers.WWWAuthenticate = "Bearer realm=\"Stripe\"");

    private bool IsAccepted(string key)
    {
        if (key.Any(char.IsWhiteSpace))
        {
            return false;
        }

        var allowed = options.Value.ApiKeys;
        return allowed.Count > 0
            ? allowed.Contains(key, StringComparer.Ordinal)
            : key.StartsWith("sk_test_", StringComparison.Ordinal) && key.Length > "sk_test_".Length;
    }
}
