using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Billing.Cli.Admin;

/// <summary>Calls the function app's admin endpoints and prints their JSON answers.</summary>
public sealed class AdminApiClient(Uri baseAddress, string token) : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(100) };

    public Task<int> ListPoisonAsync(int max, TextWriter output, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"/api/billing/admin/poison?max={max}", null, output, cancellationToken);

    public Task<int> ReplayPoisonAsync(IReadOnlyList<string> eventIds, TextWriter output, CancellationToken cancellationToken)
    {
        var body = eventIds.Count == 0
            ? new JsonObject { ["all"] = true }
            : new JsonObject { ["eventIds"] = new JsonArray([.. eventIds.Select(id => (JsonNode)id)]) };
        return SendAsync(HttpMethod.Post, "/api/billing/admin/poison/replay", body, output, cancellationToken);
    }

    public Task<int> ResyncAsync(string accountId, TextWriter output, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"/api/billing/admin/accounts/{Uri.EscapeDataString(accountId)}/resync", new JsonObject(), output, cancellationToken);

    public void Dispose() => _http.Dispose();

    /// <returns>0 for a 2xx answer, 1 otherwise (the problem details go to stderr).</returns>
    private async Task<int> SendAsync(HttpMethod method, string path, JsonNode? body, TextWriter output, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            await Console.Error.WriteLineAsync($"Could not reach {_http.BaseAddress}: {exception.Message}").ConfigureAwait(false);
            return 1;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var pretty = Pretty(text);
            if (response.IsSuccessStatusCode)
            {
                await output.WriteLineAsync(pretty).ConfigureAwait(false);
                return 0;
            }

            await Console.Error.WriteLineAsync($"{(int)response.StatusCode} {response.ReasonPhrase}: {pretty}").ConfigureAwait(false);
            return 1;
        }
    }

    private static string Pretty(string text)
    {
        try
        {
            return JsonNode.Parse(text)?.ToJsonString(Indented) ?? text;
        }
        catch (JsonException)
        {
            return text;
        }
    }
}
