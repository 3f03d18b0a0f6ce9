using Billing.Infra.Tests.Bicep;
using Billing.Infrastructure.StripeApi;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Infra.Tests;

[Collection(DeployedTemplateGroup.Name)]
public sealed class FunctionAppTests(DeployedTemplate template)
{
    [Fact]
    public void The_app_runs_on_Flex_Consumption_with_its_user_assigned_identity()
    {
        var plan = template.OneOf("Microsoft.Web/serverfarms");
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal(true, (bool?)plan["properties"]!["reserved"]); // Linux

        var site = template.OneOf("Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal((string?)plan["id"], (string?)site["properties"]!["serverFarmId"]);
        Assert.Equal("api", (string?)site["tags"]!["azd-service-name"]);
        var identity = (string)template.OneOf("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Equal([identity], site["identity"]!["userAssignedIdentities"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Only_HTTPS_with_TLS_1_2_and_no_FTP_or_basic_publishing_credentials()
    {
        var properties = template.OneOf("Microsoft.Web/sites")["properties"]!;
        Assert.Equal(true, (bool?)properties["httpsOnly"]);
        Assert.Equal("1.2", (string?)properties["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("Disabled", (string?)properties["siteConfig"]!["ftpsState"]);

        var policies = template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");
        Assert.Equal(["ftp", "scm"], policies.Select(DeployedTemplate.ShortName).Order());
        Assert.All(policies, p => Assert.Equal(false, (bool?)p["properties"]!["allow"]));
    }

    [Fact]
    public void Scale_is_bounded_and_nothing_is_always_ready_by_default()
    {
        var scale = template.OneOf("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;
        Assert.Equal(20, (int)scale["maximumInstanceCount"]!); // the default of main.bicep; Stripe's budget per instance is shared over it (below)
        Assert.Empty(scale["alwaysReady"]!.AsArray());
    }

    [Fact]
    public void Every_instance_at_full_scale_together_stays_under_Stripe_s_rate_limit_for_the_key_s_mode()
    {
        // Each instance has its own request budget: the budgets of all instances add up. The deployment's key is a
        // test-mode one (sk_test_), for which Stripe allows 25 requests/s, not live mode's 100.
        Assert.StartsWith("sk_test_", DeployedTemplate.Parameters.StripeSecretKey, StringComparison.Ordinal);
        var instances = (int)template.OneOf("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!["maximumInstanceCount"]!;

        var perInstance = BudgetWith(DeployedTemplate.Parameters.StripeSecretKey);

        Assert.InRange(perInstance, 1, 100);
        Assert.True(perInstance * instances <= 20, $"{instances} instances x {perInstance} requests/s exceed 80 % of Stripe's test-mode limit of 25/s");
    }

    [Theory]
    [InlineData("sk_live_InfraTestLiveKeyValue", 4)] // 80 % of live mode's 100/s over 20 instances
    [InlineData("rk_live_InfraTestLiveKeyValue", 4)]
    [InlineData("sk_test_InfraTestSecretKeyValue", 1)] // 80 % of test mode's 25/s over 20 instances
    [InlineData("rk_test_InfraTestRestrictedKey", 1)]
    public void Each_instance_s_Stripe_budget_follows_the_mode_of_the_key_it_runs_with(string key, int expected) =>
        Assert.Equal(expected, BudgetWith(key));

    /// <summary>The Stripe budget a worker with the deployed settings takes with <paramref name="key"/> (a Key Vault reference: either mode may be deployed).</summary>
    private int BudgetWith(string key)
    {
        var settings = template.AppSettings();
        int? Setting(string name) => settings.TryGetValue(name, out var value)
            ? int.Parse(Assert.IsType<ArmText>(value).Value, System.Globalization.CultureInfo.InvariantCulture)
            : null;
        using var budget = new StripeRequestBudget(Options.Create(new StripeOptions
        {
            SecretKey = key,
            RequestsPerSecond = Setting("Stripe__RequestsPerSecond") ?? StripeOptions.DefaultRequestsPerSecond,
            TestModeRequestsPerSecond = Setting("Stripe__TestModeRequestsPerSecond"),
        }));
        return (int)budget.RequestsPerSecond;
    }

    [Fact]
    public void Alerts_go_to_the_given_address_for_poison_messages_failures_5xx_logged_errors_and_silent_timers()
    {
        var group = template.OneOf("Microsoft.Insights/actionGroups");
        Assert.Equal([DeployedTemplate.Parameters.AlertEmail], group["properties"]!["emailReceivers"]!.AsArray().Select(r => (string)r!["emailAddress"]!));

        var applicationInsights = (string)template.OneOf("Microsoft.Insights/components")["id"]!;
        var rules = template.OfType("Microsoft.Insights/scheduledQueryRules")
            .Where(r => r["properties"]!["scopes"]!.AsArray().Any(s => (string?)s == applicationInsights)).ToList(); // CosmosTests checks the one on the workspace
        var queries = rules.Select(r => (string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!).ToList();
        Assert.Equal(5, rules.Count);
        Assert.Contains(queries, q => q.Contains("Message has reached MaxDequeueCount", StringComparison.Ordinal)); // the host's poison-move log line
        Assert.Contains(queries, q => q.Contains("success == false", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("toint(resultCode) >= 500", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("severityLevel >= 3", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("LastRun", StringComparison.Ordinal));
        Assert.All(rules, r => Assert.Equal([applicationInsights], r["properties"]!["scopes"]!.AsArray().Select(s => (string)s!)));
        Assert.All(rules, r => Assert.Equal([(string)group["id"]!], r["properties"]!["actions"]!["actionGroups"]!.AsArray().Select(s => (string)s!)));
    }

    [Fact]
    public void No_alert_query_uses_the_operators_azure_monitor_refuses_in_a_log_search_alert()
    {
        // "Except for cross-resource queries, we don't support creating or modifying log search alert rules that use the
        // search or union operators" (Learn, "Optimize log search alert queries", log query constraints): such a rule
        // fails the deployment. A bare table name starts every query; a let statement may come first.
        var queries = template.OfType("Microsoft.Insights/scheduledQueryRules").Select(r => (string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!).ToList();

        Assert.Equal(6, queries.Count);
        Assert.All(queries, q => Assert.DoesNotMatch(@"(^|[|(;\s])(union|search)\b", q));
    }

    [Fact]
    public void An_error_the_app_logs_for_an_operator_raises_an_alert_by_function()
    {
        // Errors such as a paid purchase not granted or a period that cannot be invoiced end their invocation
        // successfully (no retry, no poison message, no 5xx): the log line is all the operator gets. In Azure the host
        // logs each line the worker sends during an invocation under Function.<Name>.User at the worker's level, with
        // only its formatted message (azure-functions-host GrpcWorkerChannel.Log; the worker's own category is lost),
        // and the host's own lines about a function ("Executed ... (Failed)") under Function.<Name>.
        var rule = Assert.Single(template.OfType("Microsoft.Insights/scheduledQueryRules"),
            r => ((string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!).StartsWith("traces", StringComparison.Ordinal)
                && !((string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!).Contains("MaxDequeueCount", StringComparison.Ordinal));
        var criterion = rule["properties"]!["criteria"]!["allOf"]![0]!;
        var query = (string)criterion["query"]!;

        Assert.Contains("severityLevel >= 3", query, StringComparison.Ordinal); // Error and Critical
        var pattern = System.Text.RegularExpressions.Regex.Match(query, "matches regex @\"([^\"]+)\"").Groups[1].Value;
        var functions = typeof(Billing.FunctionApp.Webhooks.ProcessStripeEventFunction).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => m.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.FunctionAttribute), false).OfType<Microsoft.Azure.Functions.Worker.FunctionAttribute>().SingleOrDefault()?.Name)
            .OfType<string>()
            .ToList();
        Assert.Contains("ProcessStripeEvent", functions);
        Assert.All(functions, name => Assert.Matches(pattern, $"Function.{name}.User"));
        Assert.All(functions, name => Assert.DoesNotMatch(pattern, $"Function.{name}")); // the failure alert's
        Assert.DoesNotMatch(pattern, "Billing.Application.Credits.PurchaseCompletedHandler"); // never reaches Azure
        Assert.Equal("Function", (string?)criterion["dimensions"]![0]!["name"]);

        // The worker logs every exception an invocation throws in its own words as a user line (LoggerMessage.Define,
        // not a system message: azure-functions-dotnet-worker FunctionsApplication.Log.InvocationError), so the host
        // writes that under Function.<Name>.User at Error too: a failed queue or timer delivery (the failure alert's,
        // retried) and an HTTP call whose caller went away (no incident) must not raise this alert.
        var workerLine = WorkerInvocationErrorLine("ProcessStripeEvent");
        Assert.Equal(LogLevel.Error, workerLine.Level);
        var excluded = System.Text.RegularExpressions.Regex.Match(query, "message !endswith \"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(excluded);
        Assert.EndsWith(excluded, workerLine.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False("ProcessStripeEvent failed unexpectedly; answered 500".EndsWith(excluded, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The line the worker package the app runs logs when an invocation throws (its private LoggerMessage).</summary>
    private static Microsoft.Extensions.Logging.Testing.FakeLogRecord WorkerInvocationErrorLine(string function)
    {
        var log = typeof(Microsoft.Azure.Functions.Worker.FunctionContext).Assembly.GetType("Microsoft.Azure.Functions.Worker.FunctionsApplication+Log", throwOnError: true)!;
        var field = log.GetField("_invocationError", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            ?? throw new InvalidOperationException("The worker package no longer has FunctionsApplication.Log._invocationError: check what it logs when an invocation throws.");
        var write = (Action<ILogger, string, string, Exception?>)field.GetValue(null)!;
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        write(logger, function, "00000000-0000-0000-0000-000000000001", new InvalidOperationException("Fixture failure."));
        return logger.LatestRecord;
    }

    [Fact]
    public void A_timer_that_stops_running_raises_an_alert_after_the_longest_gap_of_its_schedule()
    {
        // A timer that stops firing records nothing: no requests row, so no failure to count (on Flex Consumption
        // timers have stopped after a deployment, Azure/azure-functions-host#11828, and a killed run records no result,
        // #10527). Each timer of the app is listed with the hours of silence after which the alert fires: more than
        // the longest gap between two occurrences of its deployed schedule, less than the two days the rule reads.
        var rule = Assert.Single(template.OfType("Microsoft.Insights/scheduledQueryRules"),
            r => ((string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!).Contains("LastRun", StringComparison.Ordinal));
        var properties = rule["properties"]!;
        var criterion = properties["criteria"]!["allOf"]![0]!;
        var query = (string)criterion["query"]!;
        Assert.Equal("P2D", (string?)properties["windowSize"]);
        Assert.Equal("PT1H", (string?)properties["evaluationFrequency"]);
        Assert.Equal("Function", (string?)criterion["dimensions"]![0]!["name"]);

        var silence = System.Text.RegularExpressions.Regex.Matches(query, "\"(\\w+)\", (\\d+)\\.0")
            .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        var timers = typeof(Billing.FunctionApp.Webhooks.ProcessStripeEventFunction).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => (Function: m.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.FunctionAttribute), false).OfType<Microsoft.Azure.Functions.Worker.FunctionAttribute>().SingleOrDefault()?.Name,
                Timer: m.GetParameters().SelectMany(p => p.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.TimerTriggerAttribute), false)).OfType<Microsoft.Azure.Functions.Worker.TimerTriggerAttribute>().SingleOrDefault()))
            .Where(f => f.Function is not null && f.Timer is not null)
            .ToList();
        Assert.Equal(timers.Select(t => t.Function!).Order(), silence.Keys.Order());

        var settings = template.AppSettings();
        foreach (var (function, timer) in timers)
        {
            var schedule = NCrontab.CrontabSchedule.Parse(
                Assert.IsType<ArmText>(settings[timer!.Schedule.Trim('%')]).Value, new NCrontab.CrontabSchedule.ParseOptions { IncludingSeconds = true });
            var from = new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            var occurrences = schedule.GetNextOccurrences(from, from.AddYears(1)).ToList();
            var longestGap = occurrences.Zip(occurrences.Skip(1), (a, b) => b - a).Max();
            Assert.True(silence[function!] >= longestGap.TotalHours + 1, $"{function}: alerts after {silence[function!]} h, but its schedule can wait {longestGap.TotalHours} h between runs");
            Assert.InRange(silence[function!], 1, 47);
        }
    }

    [Fact]
    public void The_requests_the_alerts_count_are_all_logged_by_the_host()
    {
        // The host writes the requests table from Host.Results: a successful invocation (and so every 5xx answer the
        // worker's middleware makes) at Information, a failed one at Error. Above Information the 5xx rate never fires.
        var host = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "host.json")))!["logging"]!;
        var level = (string?)host["logLevel"]!["Host.Results"] ?? (string?)host["logLevel"]!["default"];

        Assert.Contains(level, new[] { "Trace", "Debug", "Information" });
        Assert.Contains("Request", ((string?)host["applicationInsights"]!["samplingSettings"]!["excludedTypes"] ?? "").Split(';'));
    }
}
