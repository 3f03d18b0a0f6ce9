using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Billing.StripeEmulator.Tests.Infrastructure;

/// <summary>Raw HTTP to the emulator: form-encoded POSTs, query-string GETs, JSON answers.</summary>
public sealed class StripeApiClient(HttpClient http, string secretKey)
{
    public HttpClient Http => http;

    public Task<ApiResult> PostAsync(string path, params (string Key, string Value)[] form) => SendAsync(HttpMethod.Post, path, form, idempotencyKey: null);

    public Task<ApiResult> PostIdempotentAsync(string path, string idempotencyKey, params (string Key, string Value)[] form) => SendAsync(HttpMethod.Post, path, form, idempotencyKey);

    public Task<ApiResult> GetAsync(string pathAndQuery) => SendAsync(HttpMethod.Get, pathAndQuery, [], idempotencyKey: null);

    public Task<ApiResult> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, [], idempotencyKey: null);

    /// <summary>A test control under /_emulator (no API key).</summary>
    public async Task<ApiResult> ControlAsync(string path, params (string Key, string Value)[] form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form.Select(f => KeyValuePair.Create(f.Key, f.Value))) };
        return await ReadAsync(await http.SendAsync(request));
    }

    public async Task<ApiResult> ControlGetAsync(string path) => await ReadAsync(await http.GetAsync(path));

    public StripeApiClient WithKey(string key) => new(http, key);

    private async Task<ApiResult> SendAsync(HttpMethod method, string path, (string Key, string Value)[] form, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(method, path);
        if (!string.IsNullOrEmpty(secretKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secretKey);
        }

        request.Headers.Add("Stripe-Version", "2026-10-28.endive");
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (method == HttpMethod.Post)
        {
            request.Content = new FormUrlEncodedContent(form.Select(f => KeyValuePair.Create(f.Key, f.Value)));
        }

        return await ReadAsync(await http.SendAsync(request));
    }

    private static async Task<ApiResult> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            JsonNode body;
            try
            {
                body = JsonNode.Parse(text) ?? new JsonObject();
            }
            catch (System.Text.Json.JsonException)
            {
                body = new JsonObject { ["raw"] = text };
            }

            return new ApiResult(response.StatusCode, body, response.Headers);
        }
    }
}
