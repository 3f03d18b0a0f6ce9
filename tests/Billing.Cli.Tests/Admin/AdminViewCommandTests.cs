using Billing.Cli.Tests.Support;

namespace Billing.Cli.Tests.Admin;

/// <summary>The operator view commands against a loopback server with canned answers: the query sent and the tables printed.</summary>
public sealed class AdminViewCommandTests
{
    private const string Token = "test-admin-token";

    private const string AccountsPage = """
        {"accounts":[{"accountId":"user-42","plan":"PRO","status":"past_due","stripeCustomerId":"cus_1",
          "entitlement":{"planCode":"PRO","source":"gracePeriod","periodKey":"sub-20261110T100000Z","periodStart":"2026-11-10T10:00:00Z","periodEnd":"2026-12-10T10:00:00Z","endsAt":null},
          "usage":{"start":"2026-11-10T10:00:00Z","end":"2026-12-10T10:00:00Z","plan":{"code":"PRO","displayName":"Pro","kind":"paid"},
            "meters":[{"meter":"agent_runs","used":5250,"limit":5000,"enforcement":"overage","remaining":0,"overageUnits":250,"overageCharge":{"amount":500,"currency":"usd"}},
                      {"meter":"tokens","used":7,"limit":null,"enforcement":"hardLimit","remaining":null,"overageUnits":0,"overageCharge":null}],"overageTotal":[{"amount":500,"currency":"usd"}]},
          "credits":{"available":true,"reason":null,"balance":[{"amount":1200,"currency":"usd"}],"entries":[]}}],
         "nextCursor":"YWNjb3VudHN8dXNlci00Mg","asOf":"2026-11-21T10:00:00Z"}
        """;

    [Fact]
    public async Task Accounts_sends_the_filters_and_prints_a_table_with_the_next_cursor()
    {
        await using var server = new CannedServer(200, AccountsPage);

        var run = await CliRun.RunAsync("admin", "accounts", "--plan", "PRO", "--status", "past_due", "--q", "cus 1", "--limit", "10", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var request = Assert.Single(server.Requests);
        Assert.Equal(("GET", "/api/billing/admin/accounts?plan=PRO&status=past_due&q=cus%201&limit=10", $"Bearer {Token}"), (request.Method, request.PathAndQuery, request.Authorization));
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ACCOUNT  PLAN  STATUS    PERIOD", lines[0], StringComparison.Ordinal);
        Assert.Contains("user-42  PRO   past_due  2026-11-10 10:00..2026-12-10 10:00  agent_runs 5250/5000, tokens 7/∞  1200 usd  cus_1", lines[1], StringComparison.Ordinal);
        Assert.Equal("more: --cursor YWNjb3VudHN8dXNlci00Mg", lines[^1]);
    }

    [Fact]
    public async Task Invoices_sends_period_status_and_cursor_and_prints_one_row_per_invoice()
    {
        await using var server = new CannedServer(200, """
            {"invoices":[{"accountId":"user-42","periodKey":"month-2026-11","invoice":{"id":"in_1","number":"INV-7","status":"open","amount":2500,"currency":"usd",
              "period":{"start":"2026-11-01T00:00:00Z","end":"2026-12-01T00:00:00Z"},"plan":"PRO","hostedInvoiceUrl":null,"lines":[]}}],"nextCursor":null}
            """);

        var run = await CliRun.RunAsync("admin", "invoices", "--period", "2026-11", "--status", "open", "--cursor", "abc", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal("/api/billing/admin/invoices?period=2026-11&status=open&cursor=abc&limit=25", Assert.Single(server.Requests).PathAndQuery);
        Assert.Equal(
            "ACCOUNT  PERIOD         NUMBER  STATUS  AMOUNT    PLAN  INVOICE\nuser-42  month-2026-11  INV-7   open    2500 usd  PRO   in_1\n",
            run.Output);
    }

    [Fact]
    public async Task Account_prints_the_sections_and_says_when_stripe_could_not_be_asked()
    {
        await using var server = new CannedServer(200, """
            {"accountId":"user 42","asOf":"2026-11-21T10:00:00Z","plan":"PRO","status":"active",
             "account":{"createdAt":"2026-11-01T00:00:00Z","updatedAt":"2026-11-02T00:00:00Z","version":3,"stripeCustomerId":"cus_1","formerStripeCustomerIds":[],"trialUsedAt":null,"localTrial":null,"lastPaidPlan":"PRO"},
             "subscription":{"subscriptionId":"sub_1","status":"active","planCode":"PRO","priceId":"price_pro","currentPeriodStart":"2026-11-10T10:00:00Z","currentPeriodEnd":"2026-12-10T10:00:00Z","cancelAtPeriodEnd":false,"stripeStateAsOf":"2026-11-10T10:00:00Z"},
             "stripe":{"asked":true,"reachable":false,"error":"Stripe timed out","subscriptions":[]},
             "entitlement":{"planCode":"PRO","source":"subscription","periodKey":"k","periodStart":"2026-11-10T10:00:00Z","periodEnd":"2026-12-10T10:00:00Z"},
             "currentUsage":{"start":"2026-11-10T10:00:00Z","end":"2026-12-10T10:00:00Z","plan":{"code":"PRO"},"meters":[],"overageTotal":[]},
             "usage":[{"start":"2026-11-10T10:00:00Z","end":"2026-12-10T10:00:00Z","plan":{"code":"PRO"},"meters":[{"meter":"agent_runs","used":3,"limit":5000}],"overageTotal":[]}],
             "invoices":[],"credits":{"available":false,"reason":"The credit ledger is not connected to the operator views.","balance":[],"entries":[]},
             "events":[{"eventId":"evt_1","type":"invoice.paid","status":"ignored","created":"2026-11-10T10:00:00Z","receivedAt":"2026-11-10T10:00:01Z","completedAt":null,"attempts":1,"note":"not a usage invoice"}]}
            """);

        var run = await CliRun.RunAsync("admin", "account", "user 42", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal("/api/billing/admin/accounts/user%2042", Assert.Single(server.Requests).PathAndQuery);
        Assert.Contains("stored  sub_1         active  PRO         2026-11-10 10:00..2026-12-10 10:00  no", run.Output, StringComparison.Ordinal);
        Assert.Contains("Stripe could not be asked: Stripe timed out", run.Output, StringComparison.Ordinal);
        Assert.Contains("agent_runs 3/5000", run.Output, StringComparison.Ordinal);
        Assert.Contains("The credit ledger is not connected to the operator views.", run.Output, StringComparison.Ordinal);
        Assert.Contains("evt_1  invoice.paid  ignored  not a usage invoice", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_listing_is_one_line_on_stderr_naming_the_admin_role_setting()
    {
        await using var server = new CannedServer(403, """{"title":"Forbidden","status":403,"detail":"The token does not grant access to this resource.","code":"forbidden"}""", "application/problem+json");

        var run = await CliRun.RunAsync("admin", "accounts", "--url", server.Url, "--token", Token);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Empty(run.Output);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains("403", line, StringComparison.Ordinal);
        Assert.Contains("Auth:AdminRole", line, StringComparison.Ordinal);
    }
}
