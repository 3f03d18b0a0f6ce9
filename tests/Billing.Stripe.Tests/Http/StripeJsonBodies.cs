namespace Billing.Stripe.Tests.Http;

/// <summary>Small response bodies for requestor tests.</summary>
internal static class StripeJsonBodies
{
    public const string Customer = """{"id":"cus_123","object":"customer","email":"ada@example.com","livemode":false,"metadata":{"tenant_id":"t_1"}}""";

    public static string Error(string type, string message, string? code = null, string? declineCode = null, string? param = null) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            error = new { type, message, code, decline_code = declineCode, param, doc_url = code is null ? null : "https://docs.stripe.com/error-codes/" + code },
        });
}
