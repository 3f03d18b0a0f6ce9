using System.Net;
using System.Text;

namespace Billing.StripeEmulator.Pages;

/// <summary>A bare HTML frame for the emulator's pages (no scripts, no external assets).</summary>
internal static class Html
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    public static IResult Page(string title, string body, int statusCode = StatusCodes.Status200OK)
    {
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}} · Stripe emulator</title>
            <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{padding:.3rem;border-bottom:1px solid #ddd;text-align:left}.error{color:#b00}form{margin:1rem 0}</style>
            </head><body><p><small>Stripe emulator (test mode)</small></p><h1>{{E(title)}}</h1>
            {{body}}
            </body></html>
            """;
        return Results.Text(html, "text/html", Encoding.UTF8, statusCode);
    }

    public static string PaymentMethodSelect(string name) => $"""
        <label>Card <select name="{name}">
        <option value="succeeding">4242 4242 4242 4242 (succeeds)</option>
        <option value="failing">4000 0000 0000 0341 (attaches, charges fail)</option>
        <option value="requires_action">4000 0027 6000 3184 (needs authentication)</option>
        </select></label>
        """;
}
