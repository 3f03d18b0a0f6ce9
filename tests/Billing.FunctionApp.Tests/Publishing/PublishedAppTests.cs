using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Billing.TestSupport;

namespace Billing.FunctionApp.Tests.Publishing;

/// <summary>
/// The published folder is a standard isolated-worker function app (what <c>func start</c> and Azure run), and under
/// the local Functions host it answers every HTTP function it declares.
/// </summary>
public sealed partial class PublishedAppTests(PublishedAppFixture published) : IClassFixture<PublishedAppFixture>
{
    [Fact]
    public void Host_json_is_a_standard_one_with_the_queue_semantics_the_processor_relies_on()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(published.AppRoot, "host.json")))!;

        Assert.Equal("2.0", (string?)host["version"]);
        Assert.Null(host["customHandler"]);
        Assert.Equal("base64", (string?)host["extensions"]!["queues"]!["messageEncoding"]);
        Assert.True((int?)host["extensions"]!["queues"]!["maxDequeueCount"] > 1);
        Assert.Equal(Billing.Application.QueueDeliveryOptions.HostJsonMaxDequeueCount, (int?)host["extensions"]!["queues"]!["maxDequeueCount"]); // the worker's last delivery
        Assert.Equal("api", (string?)host["extensions"]!["http"]!["routePrefix"]);
        Assert.NotNull((string?)host["functionTimeout"]);
    }

    [Fact]
    public void The_worker_description_and_the_function_metadata_are_published()
    {
        var worker = JsonNode.Parse(File.ReadAllText(Path.Combine(published.AppRoot, "worker.config.json")))!["description"]!;
        Assert.Equal("dotnet-isolated", (string?)worker["language"]);
        Assert.True(File.Exists(Path.Combine(published.AppRoot, (string)worker["defaultWorkerPath"]!)));

        var functions = FunctionMetadata.Read(published.AppRoot);
        Assert.Equal(
            ["AccountEntitlements", "AdminAdjustCredits", "AdminBackfillRunIndex", "AdminGetAccount", "AdminGetInvoiceRun", "AdminListAccounts", "AdminListInvoiceRuns", "AdminListInvoices",
             "AdminListPoisonEvents", "AdminRecoverEvents", "AdminReplayPoisonEvents", "AdminResyncAccount", "AdminStartInvoiceRun", "BillingAddOnCheckout", "BillingCheckout",
             "BillingCredits", "BillingCreditsCheckout", "BillingEntitlements", "BillingInvoices", "BillingPlans", "BillingPortal", "BillingSubscription",
             "BillingTrial", "BillingUpcomingInvoice", "BillingUsage", "CheckUsage", "Health", "InvoiceAccount", "MissedEventSweep", "MonthlyInvoicing",
             "OpenApiDocument", "ProcessStripeEvent", "RecordUsage", "RecordUsageBatch", "RegisterAccount", "ReleaseAllocation", "StripeWebhook",
             "TakeAllocation"],
            functions.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Contains(functions, f => f is { Name: "ProcessStripeEvent", Trigger: "queueTrigger", Target: "%STRIPE_EVENTS_QUEUE%" });
        Assert.Contains(functions, f => f is { Name: "MonthlyInvoicing", Trigger: "timerTrigger", Target: "%MONTHLY_INVOICING_SCHEDULE%" });
    }

    /// <summary>
    /// The project's publish settings: ahead-of-time (ReadyToRun) for the plan's Linux x64, still on the shared
    /// framework; builds stay portable. (The fixture skips the compilation itself; the coldstart benchmark publishes
    /// with it and checks the images.)
    /// </summary>
    [Fact]
    public async Task Publishing_compiles_ready_to_run_for_linux_x64_and_building_does_not()
    {
        var project = Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp", "Billing.FunctionApp.csproj");

        Assert.Equal(("true", "linux-x64", "false"), await PublishPropertiesAsync(project, publishing: true));
        Assert.Equal(("", "", "false"), await PublishPropertiesAsync(project, publishing: false));
        var deps = JsonNode.Parse(File.ReadAllText(Path.Combine(published.AppRoot, "Billing.FunctionApp.deps.json")))!;
        Assert.Equal(".NETCoreApp,Version=v10.0/linux-x64", (string?)deps["runtimeTarget"]!["name"]);
        Assert.False(File.Exists(Path.Combine(published.AppRoot, "System.Private.CoreLib.dll"))); // framework-dependent, not self-contained
    }

    private static async Task<(string ReadyToRun, string RuntimeIdentifier, string SelfContained)> PublishPropertiesAsync(string project, bool publishing)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["msbuild", project, "-nologo", "-p:Configuration=Release", $"-p:_IsPublishing={(publishing ? "true" : "false")}",
                     "-getProperty:PublishReadyToRun", "-getProperty:RuntimeIdentifier", "-getProperty:SelfContained"])
        {
            info.ArgumentList.Add(argument);
        }

        using var msbuild = System.Diagnostics.Process.Start(info)!;
        var output = await msbuild.StandardOutput.ReadToEndAsync();
        await msbuild.WaitForExitAsync();
        Assert.True(msbuild.ExitCode == 0, output + await msbuild.StandardError.ReadToEndAsync());
        var properties = JsonNode.Parse(output)!["Properties"]!;
        return ((string)properties["PublishReadyToRun"]!, (string)properties["RuntimeIdentifier"]!, (string)properties["SelfContained"]!);
    }

    [Fact]
    public void Every_app_setting_a_binding_refers_to_is_in_the_sample_settings()
    {
        var sample = SampleSettings.Read();
        var referenced = FunctionMetadata.Read(published.AppRoot)
            .SelectMany(f => SettingReference().Matches(f.Target ?? "").Select(m => m.Groups[1].Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(referenced);
        Assert.All(referenced, name => Assert.True(sample.ContainsKey(name), $"%{name}% is not in local.settings.sample.json"));
        Assert.Equal("dotnet-isolated", sample["FUNCTIONS_WORKER_RUNTIME"]);

        // The run command sets them itself ("defaults as in local.settings.sample.json"): the same values.
        var script = File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "scripts", "run-local.sh"));
        var defaults = ScriptDefault().Matches(script).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim('"'), StringComparer.Ordinal);
        Assert.All(referenced, name => Assert.Equal((string?)sample[name], defaults.GetValueOrDefault(name)));
    }

    [Fact]
    public async Task Under_the_local_host_the_published_app_answers_every_http_function()
    {
        var emulators = await LocalEmulators.GetAsync();
        await using var app = await FunctionAppProcess.StartAsync(FunctionAppSettings.ForEmulators(emulators), scriptRoot: published.AppRoot);

        foreach (var function in FunctionMetadata.Read(published.AppRoot).Where(f => f.Trigger == "httpTrigger"))
        {
            foreach (var method in function.Methods)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), new Uri("api/" + RouteParameter().Replace(function.Target!, "sample"), UriKind.Relative));
                if (method != "GET")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await app.Http.SendAsync(request);
                // No Stripe emulator here: health rightly answers 503 naming Stripe; anything else must not fail.
                var allowed503 = function.Name == "Health" && response.StatusCode == HttpStatusCode.ServiceUnavailable;
                Assert.False(
                    response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed || ((int)response.StatusCode >= 500 && !allowed503),
                    $"{method} {function.Target} answered {(int)response.StatusCode}");
            }
        }
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();

    /// <summary><c>export NAME=${NAME:-value}</c> or <c>export NAME=${NAME:-"value"}</c> in a script.</summary>
    [GeneratedRegex("""export ([A-Za-z_][A-Za-z0-9_]*)=\$\{\1:-("[^"]*"|[^}]*)\}""")]
    private static partial Regex ScriptDefault();

    [GeneratedRegex("{[^}]+}")]
    private static partial Regex RouteParameter();
}
