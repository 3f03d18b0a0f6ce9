using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.Cli.Tests.Support;
using Billing.TestSupport;

namespace Billing.Cli.Tests.Admin;

/// <summary>The admin commands against a loopback server with canned answers.</summary>
public sealed class AdminCommandTests
{
    private const string Token = "test-admin-token";

    /// <summary>What System.Text.Json's default encoder sends for <c>+</c> and <c>'</c>, and a few more characters it escapes.</summary>
    private const string PoisonListing = """
        {"queue":"stripe-events-poison","messages":[{"eventId":"evt_1","eventType":"invoice.paid","attempts":3,"status":"failed",
         "lastFailure":"Card \u002B3 isn\u0027t valid for O'Brien + Co \u0026 \u003Cpartners\u003E, caf\u00E9","amount":1.50,"insertedAt":"2026-11-21T15:17:56+01:00"}]}
        """;

    [Fact]
    public async Task Poison_list_prints_the_answer_as_readable_json_that_round_trips()
    {
        await using var server = new CannedServer(200, PoisonListing);

        var run = await CliRun.RunAsync("admin", "poison", "list", "--max", "5", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Empty(run.Error);
        Assert.Contains("Card +3 isn't valid for O'Brien + Co & <partners>, café", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"amount\": 1.50", run.Output, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(PoisonListing), JsonNode.Parse(run.Output)), run.Output);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("GET", "/api/billing/admin/poison?max=5", $"Bearer {Token}"), (request.Method, request.PathAndQuery, request.Authorization));
    }

    [Fact]
    public async Task Poison_replay_sends_the_event_ids()
    {
        await using var server = new CannedServer(200, """{"replayed":[{"eventId":"evt_1"},{"eventId":"evt_2"}],"notFound":[]}""");

        var run = await CliRun.RunAsync("admin", "poison", "replay", "--event", "evt_1", "--event", "evt_2", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Empty(run.Error);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/billing/admin/poison/replay"), (request.Method, request.PathAndQuery));
        Assert.Equal("""{"eventIds":["evt_1","evt_2"]}""", request.Body);
        using var output = JsonDocument.Parse(run.Output);
        Assert.Equal(2, output.RootElement.GetProperty("replayed").GetArrayLength());
    }

    [Fact]
    public async Task Poison_replay_of_an_id_not_in_the_poison_queue_prints_the_answer_and_fails()
    {
        await using var server = new CannedServer(200, """{"replayed":[{"eventId":"evt_1"}],"notFound":["evt_typo","evt_3"]}""");

        var run = await CliRun.RunAsync("admin", "poison", "replay", "--event", "evt_1", "--event", "evt_typo", "--event", "evt_3", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Equal("billing: not in the poison queue, so not replayed: evt_typo, evt_3", run.Error.Trim());
        using var output = JsonDocument.Parse(run.Output);
        Assert.Equal("evt_1", output.RootElement.GetProperty("replayed")[0].GetProperty("eventId").GetString());
    }

    [Fact]
    public async Task Poison_replay_all_sends_all()
    {
        await using var server = new CannedServer(200, """{"replayed":[],"notFound":[]}""");

        var run = await CliRun.RunAsync("admin", "poison", "replay", "--all", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal("""{"all":true}""", Assert.Single(server.Requests).Body);
    }

    [Fact]
    public async Task Poison_list_of_the_invoice_jobs_queue_names_the_queue()
    {
        await using var server = new CannedServer(200, """{"queue":"invoice-jobs-poison","approximateCount":0,"messages":[]}""");

        var run = await CliRun.RunAsync("admin", "poison", "list", "--queue", "invoice-jobs", "--max", "3", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal("/api/billing/admin/poison?max=3&queue=invoice-jobs", Assert.Single(server.Requests).PathAndQuery);
    }

    [Fact]
    public async Task Poison_replay_of_invoice_jobs_sends_the_run_ids_to_the_invoice_jobs_queue()
    {
        await using var server = new CannedServer(200, """{"replayed":[{"messageId":"m1","eventId":null,"runId":"user-42:month-2026-11"}],"notFound":[]}""");

        var run = await CliRun.RunAsync("admin", "poison", "replay", "--queue", "invoice-jobs", "--run", "user-42:month-2026-11", "--url", server.Url, "--token", Token);
        var all = await CliRun.RunAsync("admin", "poison", "replay", "--queue", "invoice-jobs", "--all", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.True(all.ExitCode == ExitCodes.Success, all.ToString());
        Assert.Equal(
            [("/api/billing/admin/poison/replay?queue=invoice-jobs", """{"runIds":["user-42:month-2026-11"]}"""), ("/api/billing/admin/poison/replay?queue=invoice-jobs", """{"all":true}""")],
            server.Requests.Select(r => (r.PathAndQuery, r.Body)));
    }

    [Fact]
    public async Task Resync_posts_to_the_accounts_resync_endpoint()
    {
        await using var server = new CannedServer(200, """{"accountId":"user+42","customerId":"cus_1","steps":[]}""");

        var run = await CliRun.RunAsync("admin", "resync", "--account", "user+42", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("\"accountId\": \"user+42\"", run.Output, StringComparison.Ordinal);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/billing/admin/accounts/user%2B42/resync"), (request.Method, request.PathAndQuery));
    }

    [Fact]
    public async Task Events_recover_posts_the_time_in_utc_with_all_and_dry_run_and_prints_each_event_and_a_summary()
    {
        await using var server = new CannedServer(200, """
            {"since":"2026-12-01T08:30:00+00:00","all":true,"dryRun":true,"events":[
             {"id":"evt_1","type":"checkout.session.completed","created":"2026-12-02T10:00:00+00:00","outcome":"queued","requeued":false,"reason":null},
             {"id":"evt_2","type":"invoice.paid","created":"2026-12-03T10:00:00+00:00","outcome":"duplicate","requeued":true,"reason":null},
             {"id":"evt_3","type":"invoice.paid","created":"2026-12-04T10:00:00+00:00","outcome":"duplicate","requeued":false,"reason":null}],
             "summary":{"listed":3,"queued":1,"duplicates":2,"skipped":0}}
            """);

        var run = await CliRun.RunAsync("admin", "events", "recover", "--since", "2026-12-01T09:30+01:00", "--all", "--dry-run", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/billing/admin/events/recover"), (request.Method, request.PathAndQuery));
        Assert.Equal("""{"since":"2026-12-01T08:30:00+00:00","all":true,"dryRun":true,"limit":500,"cursor":null}""", request.Body);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Dry run: nothing was stored or queued. Events since 2026-12-01T08:30:00+00:00 (delivered ones too):", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^evt_1\s+checkout\.session\.completed\s+2026-12-02T10:00:00\+00:00\s+queued$", lines[2]);
        Assert.EndsWith("duplicate (not final: queued again)", lines[3], StringComparison.Ordinal);
        Assert.EndsWith("duplicate", lines[4], StringComparison.Ordinal);
        Assert.Equal("3 listed: 1 to queue, 2 duplicate, 0 skipped.", lines[^1]);
    }

    [Fact]
    public async Task Events_recover_without_options_asks_for_the_undelivered_events_of_the_last_30_days_and_fails_when_some_were_skipped()
    {
        await using var server = new CannedServer(200, """
            {"since":"2026-11-01T00:00:00+00:00","all":false,"dryRun":false,"events":[
             {"id":"evt_9","type":"invoice.paid","created":"2026-11-02T10:00:00+00:00","outcome":"skipped","requeued":false,"reason":"Rendered in API version 2025-03-31.basil."}],
             "summary":{"listed":1,"queued":0,"duplicates":0,"skipped":1}}
            """);

        var run = await CliRun.RunAsync("admin", "events", "recover", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Equal("""{"since":null,"all":false,"dryRun":false,"limit":500,"cursor":null}""", Assert.Single(server.Requests).Body);
        Assert.Contains("skipped: Rendered in API version 2025-03-31.basil.", run.Output, StringComparison.Ordinal);
        Assert.Contains("1 listed: 0 queued, 0 duplicate, 1 skipped.", run.Output, StringComparison.Ordinal);
        Assert.Equal("billing: 1 event was skipped, not stored: apply them by hand (docs/webhooks.md, Runbook).", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task Events_recover_sends_each_next_cursor_with_the_same_options_until_none_is_left_and_prints_the_totals()
    {
        await using var server = new CannedServer(request => new CannedServer.Response(200, RecoveryBatch(request.Body.Contains("\"cursor\":null", StringComparison.Ordinal) ? 1 : 2, request.Body.Contains("c1", StringComparison.Ordinal) ? null : "c1")));

        var run = await CliRun.RunAsync("admin", "events", "recover", "--since", "2026-12-01T00:00Z", "--all", "--limit", "2", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal(
            ["""{"since":"2026-12-01T00:00:00+00:00","all":true,"dryRun":false,"limit":2,"cursor":null}""", """{"since":"2026-12-01T00:00:00+00:00","all":true,"dryRun":false,"limit":2,"cursor":"c1"}"""],
            server.Requests.Select(r => r.Body));
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["evt_1", "evt_2"], lines.Where(l => l.StartsWith("evt_", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]));
        Assert.Equal("In all, 2 batches: 2 listed: 1 queued, 1 duplicate, 0 skipped.", lines[^1]);
    }

    [Fact]
    public async Task Events_recover_with_one_batch_stops_there_and_prints_the_cursor_to_go_on_from()
    {
        await using var server = new CannedServer(200, RecoveryBatch(1, "c1"));

        var run = await CliRun.RunAsync("admin", "events", "recover", "--one-batch", "--dry-run", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Single(server.Requests);
        Assert.Equal("More events remain: run it again with the same options and --cursor c1", run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public async Task Events_recover_stopped_by_a_failed_batch_fails_with_the_cursor_to_go_on_from()
    {
        await using var server = new CannedServer(request => request.Body.Contains("c1", StringComparison.Ordinal)
            ? new CannedServer.Response(503, """{"title":"Service Unavailable","code":"stripe_unavailable"}""", "application/problem+json")
            : new CannedServer.Response(200, RecoveryBatch(1, "c1")));

        var run = await CliRun.RunAsync("admin", "events", "recover", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("billing: stopped after 1 batch: to go on from there, run it again with the same options and --cursor c1", run.ErrorLines[^1]);
    }

    /// <summary>A recovery answer with one event (the first batch's queued, a later one's duplicate) and the cursor given.</summary>
    private static string RecoveryBatch(int number, string? nextCursor) =>
        $$"""
        {"since":"2026-12-01T00:00:00+00:00","all":true,"dryRun":false,"events":[
         {"id":"evt_{{number}}","type":"invoice.paid","created":"2026-12-02T10:00:00+00:00","outcome":"{{(number == 1 ? "queued" : "duplicate")}}","requeued":false,"reason":null}],
         "summary":{"listed":1,"queued":{{(number == 1 ? 1 : 0)}},"duplicates":{{(number == 1 ? 0 : 1)}},"skipped":0},"nextCursor":{{(nextCursor is null ? "null" : $"\"{nextCursor}\"")}}}
        """;

    [Fact]
    public async Task Without_a_token_an_admin_token_is_minted_from_the_settings()
    {
        using var settings = TestSettings.WithAuth("""
            "RoleClaim": "groups", "AdminRole": "billing-operators"
            """);
        await using var server = new CannedServer(200, "{}");

        var run = await CliRun.RunAsync("admin", "poison", "list", "--url", server.Url, "--settings", settings.Path);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var authorization = Assert.Single(server.Requests).Authorization;
        Assert.StartsWith("Bearer ey", authorization, StringComparison.Ordinal);
        // It outlives the longest follow of an invoice run (--timeout up to 24 h), which uses one token throughout.
        var payload = authorization!["Bearer ".Length..].Split('.')[1].Replace('-', '+').Replace('_', '/');
        var claims = JsonNode.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')))!;
        Assert.True(claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>() > 24 * 3600, claims.ToJsonString());
        // The admin role the app is configured with, in the claim it reads roles from.
        Assert.Equal("billing-operators", claims["groups"]!.GetValue<string>());
        Assert.Null(claims["roles"]);
    }


    [Fact]
    public async Task A_401_fails_with_exit_code_1_and_one_line_on_stderr()
    {
        await using var server = new CannedServer(401, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.2","title":"Unauthorized","status":401,"detail":"The token is expired."}""", "application/problem+json");

        var run = await CliRun.RunAsync("admin", "poison", "list", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Empty(run.Output);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("billing: 401 Unauthorized: The token is expired.", line, StringComparison.Ordinal);
        Assert.Contains("--token", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_404_fails_with_exit_code_1_and_the_problem_detail()
    {
        await using var server = new CannedServer(404, """{"title":"Not Found","status":404,"detail":"No billing account 'nobody' (O'Brien + co)."}""", "application/problem+json");

        var run = await CliRun.RunAsync("admin", "resync", "--account", "nobody", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Empty(run.Output);
        Assert.Equal("billing: 404 Not Found: No billing account 'nobody' (O'Brien + co).", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task A_refusal_names_its_trace_for_a_support_question()
    {
        await using var server = new CannedServer(409, """{"title":"Conflict","status":409,"detail":"No Stripe customer.","code":"no_stripe_customer","traceId":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}""", "application/problem+json");

        var run = await CliRun.RunAsync("admin", "resync", "--account", "user-1", "--url", server.Url, "--token", Token);

        Assert.Equal("billing: 409 Conflict: No Stripe customer. (code: no_stripe_customer) [trace 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01]", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task A_409_names_the_problem_code()
    {
        await using var server = new CannedServer(409, """{"title":"Conflict","status":409,"detail":"No Stripe customer.","code":"no_stripe_customer"}""", "application/problem+json");

        var run = await CliRun.RunAsync("admin", "resync", "--account", "user-1", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Equal("billing: 409 Conflict: No Stripe customer. (code: no_stripe_customer)", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task A_server_error_without_json_is_one_line_too()
    {
        await using var server = new CannedServer(502, "upstream\nfailed", "text/plain");

        var run = await CliRun.RunAsync("admin", "poison", "list", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Equal("billing: 502 Bad Gateway: upstream failed", Assert.Single(run.ErrorLines));
    }

    /// <summary>
    /// A 2xx page that is not the API's JSON (the wrong --url, a sign-in page or proxy in front of the app) is no
    /// answer of the admin API: printing it and exiting 0 would tell a script a replay or adjustment was done.
    /// </summary>
    [Theory]
    [InlineData("admin", "poison", "list")]
    [InlineData("admin", "poison", "replay", "--event", "evt_1")]
    [InlineData("admin", "resync", "--account", "user-1")]
    [InlineData("admin", "accounts")]
    [InlineData("admin", "account", "user-1")]
    [InlineData("admin", "invoices")]
    [InlineData("admin", "credits", "adjust", "--account", "user-1", "--amount", "5", "--currency", "usd", "--reason", "r", "--idempotency-key", "k1")]
    public async Task A_2xx_answer_that_is_not_json_fails_with_one_line(params string[] args)
    {
        await using var server = new CannedServer(200, "<!doctype html>\n<html><body>Sign in</body></html>", "text/html");

        var run = await CliRun.RunAsync([.. args, "--url", server.Url, "--token", Token]);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Empty(run.Output);
        var line = Assert.Single(run.ErrorLines, l => l.Contains("not JSON", StringComparison.Ordinal));
        Assert.StartsWith("billing: ", line, StringComparison.Ordinal);
        Assert.Contains("200", line, StringComparison.Ordinal);
        Assert.Contains("--url", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credits_adjust_posts_the_amount_currency_and_reason_to_the_accounts_credits_endpoint()
    {
        await using var server = new CannedServer(200, """{"accountId":"user+42","entry":{"sequence":3,"kind":"adjustment","currency":"usd","amount":-300,"reason":"goodwill","operator":"ops-1"},"balance":700,"replayed":false}""");

        var run = await CliRun.RunAsync("admin", "credits", "adjust", "--account", "user+42", "--amount", "-300", "--currency", "usd", "--reason", "goodwill", "--idempotency-key", "k1", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["ACCOUNT", "ENTRY", "KIND", "AMOUNT", "REASON", "BY", "BALANCE", "REPLAYED"], lines[0].Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(["user+42", "3", "adjustment", "-300 usd", "goodwill", "ops-1", "700 usd", "no"], lines[1].Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/billing/admin/accounts/user%2B42/credits"), (request.Method, request.PathAndQuery));
        Assert.Equal("""{"amount":-300,"currency":"usd","reason":"goodwill","idempotencyKey":"k1"}""", request.Body);
    }

    [Fact]
    public async Task Credits_adjust_without_a_key_sends_a_new_one_and_tells_it_for_a_safe_retry()
    {
        await using var server = new CannedServer(200, """{"accountId":"user-1","entry":{"sequence":1,"kind":"adjustment","currency":"usd","amount":500,"reason":"goodwill","operator":"ops-1"},"balance":500,"replayed":false}""");

        var run = await CliRun.RunAsync("admin", "credits", "adjust", "--account", "user-1", "--amount", "500", "--currency", "usd", "--reason", "goodwill", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var key = JsonNode.Parse(Assert.Single(server.Requests).Body)!["idempotencyKey"]!.GetValue<string>();
        Assert.StartsWith("cli-", key, StringComparison.Ordinal);
        Assert.Contains($"--idempotency-key {key}", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, """{"title":"No such account.","status":404,"detail":"Billing account 'user-42' does not exist.","code":"account_not_found"}""", false)]
    [InlineData(409, """{"title":"Not enough spendable credit.","status":409,"code":"insufficient_credit"}""", false)]
    [InlineData(503, """{"title":"Busy","status":503}""", true)]
    public async Task Credits_adjust_repeats_its_key_for_a_retry_only_when_the_outcome_is_unknown(int status, string problem, bool retryHint)
    {
        await using var server = new CannedServer(status, problem, "application/problem+json");

        var run = await CliRun.RunAsync("admin", "credits", "adjust", "--account", "user-42", "--amount", "500", "--currency", "usd", "--reason", "goodwill", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.StartsWith($"billing: {status} ", run.ErrorLines[retryHint ? ^2 : ^1], StringComparison.Ordinal);
        Assert.Equal(retryHint, run.ErrorLines[^1].StartsWith("To retry this adjustment, run it again with --idempotency-key cli-", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("admin", "poison", "list")]
    [InlineData("admin", "poison", "replay", "--all")]
    [InlineData("admin", "resync", "--account", "user-1")]
    [InlineData("admin", "credits", "adjust", "--account", "user-1", "--amount", "5", "--currency", "usd", "--reason", "r")]
    public async Task A_closed_port_is_exit_code_3(params string[] args)
    {
        using var down = FreePort.Refusing();
        var run = await CliRun.RunAsync([.. args, "--url", down.Url.ToString(), "--token", Token]);

        Assert.True(run.ExitCode == ExitCodes.Unreachable, run.ToString());
        Assert.Empty(run.Output);
        var reason = Assert.Single(run.ErrorLines, line => line.StartsWith("billing: ", StringComparison.Ordinal));
        Assert.StartsWith($"billing: Could not reach http://{down.Host}:", reason, StringComparison.Ordinal);
        // The adjustment's key, for a retry: told before the request and again last.
        Assert.All(run.ErrorLines.Where(line => line != reason), line => Assert.Contains("--idempotency-key cli-", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ctrl_c_during_an_adjustment_is_exit_130_and_tells_its_key_for_a_safe_retry()
    {
        // A server that reads the request and never answers: the operator gives up.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var cancel = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            _ = await client.GetStream().ReadAsync(new byte[8192]);
            await cancel.CancelAsync();
            await Task.Delay(TimeSpan.FromSeconds(5)); // the connection stays open, unanswered
        });
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/";

        var run = await CliRun.RunAsync(cancel.Token, "admin", "credits", "adjust", "--account", "user-1", "--amount", "500", "--currency", "usd", "--reason", "goodwill", "--url", url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Cancelled, run.ToString());
        Assert.Equal("billing: Cancelled. A request that was under way may have been applied.", run.ErrorLines[^1]);
        Assert.StartsWith("To retry this adjustment, run it again with --idempotency-key cli-", run.ErrorLines[^2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_whose_answer_is_lost_after_it_was_sent_may_have_been_applied_and_the_adjustment_tells_its_key_last()
    {
        // A server that reads the request and closes the connection without answering (the answer lost on the way).
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var buffer = new byte[8192];
            _ = await client.GetStream().ReadAsync(buffer);
        });
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/";

        var run = await CliRun.RunAsync("admin", "credits", "adjust", "--account", "user-1", "--amount", "500", "--currency", "usd", "--reason", "goodwill", "--url", url, "--token", Token);
        await server;

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Contains(run.ErrorLines, line => line.Contains("the request may have been applied", StringComparison.Ordinal));
        Assert.StartsWith("To retry this adjustment, run it again with --idempotency-key cli-", run.ErrorLines[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("admin", "poison", "replay")]
    [InlineData("admin", "poison", "replay", "--all", "--event", "evt_1")]
    [InlineData("admin", "poison", "list", "--max", "0")]
    [InlineData("admin", "poison", "list", "--max", "33")]
    [InlineData("admin", "poison", "list", "--queue", "billing-notifications")]
    [InlineData("admin", "poison", "replay", "--queue", "invoice-jobs", "--event", "evt_1")]
    [InlineData("admin", "poison", "replay", "--queue", "invoice-jobs")]
    [InlineData("admin", "poison", "replay", "--run", "user-42:month-2026-11")]
    [InlineData("admin", "poison", "replay", "--queue", "invoice-jobs", "--run", "user-42:month-2026-11", "--all")]
    [InlineData("admin", "resync")]
    [InlineData("admin", "events")]
    [InlineData("admin", "events", "recover", "--since", "2026-12-01")]
    [InlineData("admin", "events", "recover", "--since", "2026-12-01T00:00")] // no offset: whose midnight?
    [InlineData("admin", "events", "recover", "--since", "yesterday")]
    [InlineData("admin", "events", "recover", "--since", "2026-13-01T00:00Z")]
    [InlineData("admin", "events", "recover", "--limit", "0")]
    [InlineData("admin", "events", "recover", "--limit", "1001")]
    [InlineData("admin", "events", "recover", "--limit", "x")]
    [InlineData("admin", "resync", "--account", "a/b")]
    [InlineData("admin", "resync", "--account", " x")]
    [InlineData("admin", "credits", "adjust", "--account", "user-1", "--amount", "0", "--currency", "usd", "--reason", "r")]
    [InlineData("admin", "credits", "adjust", "--account", "user-1", "--amount", "5", "--currency", "USD", "--reason", "r")]
    [InlineData("admin", "credits", "adjust", "--account", "user-1", "--amount", "5", "--currency", "usd")]
    [InlineData("admin", "credits", "adjust", "--account", "user-1", "--amount", "5", "--currency", "usd", "--reason", " ")]
    [InlineData("admin", "credits")]
    [InlineData("admin", "account", "")] // "$ACCOUNT" unset: GET .../accounts/ is the listing
    [InlineData("admin", "account", "a/b")]
    [InlineData("admin", "account", "..")]
    [InlineData("admin", "account", " user-1")]
    [InlineData("invoices", "show", "")] // "$RUN" unset: GET .../runs/ is the listing
    [InlineData("invoices", "show", " ")]
    [InlineData("invoices", "show", "user-1:month-2026-11 ")]
    public async Task Bad_arguments_are_usage_errors_and_nothing_is_sent(params string[] args)
    {
        await using var server = new CannedServer(200, "{}");

        var run = await CliRun.RunAsync([.. args, "--url", server.Url, "--token", Token]);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Empty(run.Output);
        Assert.StartsWith("billing: ", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    /// <summary>
    /// A token no Authorization header can carry (a non-ASCII character pasted in, a line break inside, "Bearer " given
    /// with it) was never sent, yet a read said the server could not be reached (exit 3) and a write that it "may have
    /// been applied". It is a usage error that does not repeat the secret.
    /// </summary>
    [Theory]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.sig…", "admin", "poison", "list")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.sigé", "admin", "poison", "replay", "--all")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9\n.e30.sig", "admin", "credits", "adjust", "--account", "user-1", "--amount", "5", "--currency", "usd", "--reason", "r")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "invoices", "show", "user-1:month-2026-11")]
    public async Task A_token_no_authorization_header_can_carry_is_a_usage_error_that_does_not_show_it(string token, params string[] args)
    {
        token = token.Replace("\\n", "\n", StringComparison.Ordinal);
        await using var server = new CannedServer(200, "{}");

        var run = await CliRun.RunAsync([.. args, "--url", server.Url, "--token", token]);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Empty(run.Output);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("billing: --token", line, StringComparison.Ordinal);
        Assert.DoesNotContain("sig", line, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("ftp://example.com", "must be an absolute http(s) URL")]
    [InlineData("not a url", "must be an absolute http(s) URL")]
    [InlineData("http://billing.example.com/", "must be https for a host other than this machine")] // the token would travel in clear
    [InlineData("http://10.0.0.5:7071/", "must be https for a host other than this machine")]
    public async Task A_url_that_is_not_http_or_plain_http_to_another_machine_is_a_usage_error(string url, string reason)
    {
        var run = await CliRun.RunAsync("admin", "poison", "list", "--url", url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Contains("--url", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Contains(reason, run.Error, StringComparison.Ordinal);
    }
}
