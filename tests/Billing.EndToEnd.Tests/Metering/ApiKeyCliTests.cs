using System.Net;
using System.Text;
using Billing.EndToEnd.Tests.Support;

namespace Billing.EndToEnd.Tests.Metering;

/// <summary>
/// <c>billing apikey new</c> end to end: the app started with the two settings lines it prints accepts the key it
/// printed (and only that key) on the service endpoints, and its log never holds the key.
/// </summary>
public sealed class ApiKeyCliTests
{
    [Fact]
    public async Task The_app_configured_with_the_printed_settings_accepts_the_printed_key_and_never_logs_it()
    {
        var created = await CliRun.RunAsync("apikey", "new", "--name", "e2e-worker", "--index", "1");
        Assert.True(created.ExitCode == 0, $"{created.Output} {created.Error}");
        var lines = created.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#')).ToArray();
        var key = lines[0];
        var settings = lines[1..].Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(["Billing__ServiceAuth__ApiKeys__1__Name", "Billing__ServiceAuth__ApiKeys__1__Sha256"], settings.Keys.Order(StringComparer.Ordinal));

        await using var stack = await WebhookStack.StartAsync(emulator: false, registerWebhook: false, configure: s =>
        {
            foreach (var (name, value) in settings)
            {
                s[name] = value;
            }
        });
        var ghost = $"ghost-{Guid.NewGuid():N}";

        var accepted = await CheckAsync(stack, ghost, key);
        var altered = await CheckAsync(stack, ghost, key[..^1] + (key[^1] == 'A' ? 'B' : 'A'));

        // Past authentication: the account does not exist (a refused key is 401 before any lookup).
        Assert.True(accepted.StatusCode == HttpStatusCode.NotFound, await accepted.Content.ReadAsStringAsync());
        Assert.Contains("account_not_found", await accepted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(altered.StatusCode == HttpStatusCode.Unauthorized, await altered.Content.ReadAsStringAsync());
        Assert.Contains("invalid_api_key", await altered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(stack.App.Logged(key), "the API key was logged");
    }

    private static async Task<HttpResponseMessage> CheckAsync(WebhookStack stack, string accountId, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/usage/check")
        {
            Content = new StringContent($$"""{"accountId":"{{accountId}}","meter":"agent_runs","quantity":1}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", key);
        return await stack.App.Http.SendAsync(request);
    }
}
