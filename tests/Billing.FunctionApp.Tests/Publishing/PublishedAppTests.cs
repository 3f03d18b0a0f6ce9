using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.FunctionApp.Hosting.FunctionMetadata;
using Billing.FunctionApp.Hosting.Standalone;
using Billing.TestSupport;

namespace Billing.FunctionApp.Tests.Publishing;

/// <summary>The published folder is a deployable custom-handler app, and the server it holds answers every declared function.</summary>
public sealed class PublishedAppTests(PublishedAppFixture published) : IClassFixture<PublishedAppFixture>
{
    private static readonly Dictionary<string, string?> SampleSettings = ReadSampleSettings();

    [Fact]
    public void Host_json_names_the_published_executable_and_proxies_http()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(published.AppRoot, "host.json")))!;

        Assert.Equal("2.0", (string?)host["version"]);
        Assert.True((bool?)host["customHandler"]!["enableProxyingHttpRequest"]);
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", (string?)host["extensionBundle"]!["id"]);
        var executable = Path.Combine(published.AppRoot, (string)host["customHandler"]!["description"]!["defaultExecutablePath"]!);
        Assert.True(File.Exists(executable), executable + " is missing");
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.GetUnixFileMode(executable).HasFlag(UnixFileMode.UserExecute), executable + " is not executable");
        }
        Assert.True((int?)host["extensions"]!["queues"]!["maxDequeueCount"] > 0);
    }

    [Fact]
    public void Every_function_json_parses_and_the_expected_functions_are_there()
    {
        var catalog = FunctionCatalogLoader.Load(published.AppRoot, SampleSettings.GetValueOrDefault);

        Assert.Contains(catalog.All, f => f is { Name: "Health", Kind: FunctionTriggerKind.Http, Path: "/api/health" });
        Assert.Contains(catalog.All, f => f is { Name: "ProcessStripeEvent", Kind: FunctionTriggerKind.Queue, QueueName: "stripe-events" });
        Assert.Contains(catalog.All, f => f is { Name: "MonthlyInvoicing", Kind: FunctionTriggerKind.Timer });
        Assert.Contains(catalog.All, f => f is { Name: "BillingPlans", Path: "/api/billing/plans" } && f.HttpMethods.SequenceEqual(["GET", "OPTIONS"]));
        Assert.Contains(catalog.All, f => f is { Name: "BillingSubscription", Path: "/api/billing/subscription" } && f.HttpMethods.SequenceEqual(["GET", "OPTIONS"]));
        Assert.Contains(catalog.All, f => f is { Name: "BillingCheckout", Path: "/api/billing/checkout" } && f.HttpMethods.SequenceEqual(["POST", "OPTIONS"]));
        Assert.Contains(catalog.All, f => f is { Name: "BillingPortal", Path: "/api/billing/portal" } && f.HttpMethods.SequenceEqual(["POST", "OPTIONS"]));
        Assert.Contains(catalog.All, f => f is { Name: "BillingTrial", Path: "/api/billing/trial" } && f.HttpMethods.SequenceEqual(["POST", "OPTIONS"]));
        Assert.Contains(catalog.All, f => f is { Name: "OpenApiDocument", Path: "/api/openapi/v1.json" });
        Assert.Contains(catalog.All, f => f is { Name: "StripeWebhook", Kind: FunctionTriggerKind.Http, Path: "/api/stripe/webhook" });
        Assert.Contains(catalog.All, f => f is { Name: "AdminListPoisonEvents", Kind: FunctionTriggerKind.Http, Path: "/api/billing/admin/poison" });
        Assert.Contains(catalog.All, f => f is { Name: "AdminReplayPoisonEvents", Kind: FunctionTriggerKind.Http, Path: "/api/billing/admin/poison/replay" });
        Assert.Contains(catalog.All, f => f is { Name: "AdminResyncAccount", Kind: FunctionTriggerKind.Http, Path: "/api/billing/admin/accounts/{accountId}/resync" });
        foreach (var function in catalog.OfKind(FunctionTriggerKind.Http))
        {
            var bindings = JsonNode.Parse(File.ReadAllText(Path.Combine(published.AppRoot, function.Name, "function.json")))!["bindings"]!.AsArray();
            // Proxying applies only to exactly one httpTrigger in and one http out; anything more falls back to the JSON payload.
            Assert.Equal(2, bindings.Count);
            Assert.Contains(bindings, b => (string?)b!["type"] == "http" && (string?)b["direction"] == "out");
        }
    }

    [Fact]
    public void Every_app_setting_a_function_refers_to_is_in_the_sample_settings()
    {
        var referenced = Directory.EnumerateFiles(published.AppRoot, "function.json", SearchOption.AllDirectories)
            .SelectMany(f => FunctionCatalogLoader.SettingReferences(File.ReadAllText(f)))
            .Distinct()
            .ToList();

        Assert.NotEmpty(referenced);
        Assert.All(referenced, name => Assert.True(SampleSettings.ContainsKey(name), $"%{name}% is not in local.settings.sample.json"));
    }

    [Fact]
    public void Every_timer_schedule_is_a_six_field_ncrontab_expression()
    {
        var timers = FunctionCatalogLoader.Load(published.AppRoot, SampleSettings.GetValueOrDefault).OfKind(FunctionTriggerKind.Timer).ToList();

        Assert.NotEmpty(timers);
        Assert.All(timers, t => Assert.Equal(6, t.Schedule!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length));
        Assert.All(timers, t => TimerTriggerScheduler.ParseSchedule(t.Schedule!));
        Assert.Throws<InvalidOperationException>(() => TimerTriggerScheduler.ParseSchedule("0 2 1 * *"));
    }

    [Fact]
    public async Task The_published_server_answers_every_http_route_and_every_function_endpoint_under_the_host()
    {
        var emulators = await LocalEmulators.GetAsync();
        var catalog = FunctionCatalogLoader.Load(published.AppRoot, SampleSettings.GetValueOrDefault);
        await using var app = await FunctionAppProcess.StartAsync(
            FunctionAppSettings.ForEmulators(emulators),
            executable: Path.Combine(published.AppRoot, "Billing.FunctionApp"),
            underHost: true);

        foreach (var function in catalog.OfKind(FunctionTriggerKind.Http))
        {
            foreach (var method in function.HttpMethods)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), SamplePath(function.Path!));
                if (method == "OPTIONS")
                {
                    // Declared so the host forwards CORS preflights; the server answers them, not the handler.
                    request.Headers.Add("Origin", "https://preflight.example");
                    request.Headers.Add("Access-Control-Request-Method", function.HttpMethods.First(m => m != "OPTIONS"));
                }
                else if (method != "GET")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await app.Http.SendAsync(request);
                Assert.False(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{method} {function.Path} answered {(int)response.StatusCode}");
            }
        }

        foreach (var function in catalog.All.Where(f => f.Kind != FunctionTriggerKind.Http))
        {
            using var response = await app.Http.PostAsync(new Uri("/" + function.Name, UriKind.Relative), new StringContent("""{"Data":{},"Metadata":{}}""", Encoding.UTF8, "application/json"));
            Assert.NotEqual(HttpStatusCode.NotFound, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(body.RootElement.TryGetProperty("Outputs", out _), $"{function.Name} did not answer in the host's response shape");
        }

        Assert.Contains("Now listening on", app.Output, StringComparison.Ordinal); // sanity: its log is readable
        Assert.DoesNotContain("Standalone trigger:", app.Output, StringComparison.Ordinal); // under the host the poller and scheduler are off
    }

    private static Uri SamplePath(string path) =>
        new(System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", "sample"), UriKind.Relative);

    private static Dictionary<string, string?> ReadSampleSettings()
    {
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "local.settings.sample.json")))!["Values"]!.AsObject();
        return sample.ToDictionary(p => p.Key, p => (string?)p.Value);
    }
}
