using System.Text.Json.Nodes;
using Billing.Cli.Invoices;
using Billing.Cli.Tests.Support;
using Billing.TestSupport;

namespace Billing.Cli.Tests.Invoices;

/// <summary><c>billing invoices run|show</c> against a loopback server with canned answers that move as the jobs would.</summary>
public sealed class InvoicesCommandTests
{
    private const string Token = "test-admin-token";
    private const string StartedAt = "2026-12-02T02:00:00Z";

    [Fact]
    public async Task Run_queues_the_month_follows_the_jobs_to_the_end_and_sums_up_what_was_invoiced()
    {
        var looks = 0;
        await using var server = new CannedServer(request => request switch
        {
            { Method: "POST" } => Ok(Started("a:sub-1", "b:sub-1", "c:sub-1")),
            { Method: "GET", PathAndQuery: var path } when path.StartsWith("/api/billing/admin/poison", StringComparison.Ordinal) => Ok("""{"queue":"invoice-jobs-poison","approximateCount":0,"messages":[]}"""),
            _ => Ok(Interlocked.Increment(ref looks) switch
            {
                1 => Runs(Run("a:sub-1", "computed")),
                2 => Runs(Run("a:sub-1", "finalized", 500), Run("b:sub-1", "nothingToBill")),
                _ => Runs(Run("a:sub-1", "recorded", 600, credit: 100), Run("b:sub-1", "nothingToBill"), Run("c:sub-1", "recorded", 250, "eur"), Run("old:sub-0", "recorded", 999)),
            }),
        });

        var run = await CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--poll-ms", "50", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var start = server.Requests.First();
        Assert.Equal(("POST", "/api/billing/admin/invoices/runs", $"Bearer {Token}"), (start.Method, start.PathAndQuery, start.Authorization));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"period":"2026-11","dryRun":false,"accountId":null}"""), JsonNode.Parse(start.Body)), start.Body);
        Assert.Contains(server.Requests, r => r.PathAndQuery == "/api/billing/admin/invoices/runs?period=2026-11&limit=500");
        Assert.Contains("Invoicing 2026-11: 3 closed periods queued.", run.Output, StringComparison.Ordinal);
        Assert.Contains("[##############################] 3/3", run.Output, StringComparison.Ordinal);
        Assert.Contains("Invoicing 2026-11: 4 accounts with a run this month", run.Output, StringComparison.Ordinal);
        Assert.Contains("invoices created  2", run.Output, StringComparison.Ordinal);
        Assert.Contains("total             250 eur (minor units), 500 usd (minor units)", run.Output, StringComparison.Ordinal); // what the invoices bill
        Assert.Contains("prepaid credit    100 usd (minor units)" + Environment.NewLine, run.Output, StringComparison.Ordinal);
        Assert.Contains("skipped           2 (nothing to bill 1, already invoiced before 1)", run.Output, StringComparison.Ordinal);
        Assert.Contains("failed            0", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', run.Output); // captured output: plain lines, no redraw
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task A_run_prepaid_credit_paid_in_full_is_done_and_the_credit_spent_is_summed_apart_from_what_the_invoices_bill()
    {
        await using var server = new CannedServer(request => request switch
        {
            { Method: "POST" } => Ok(Started("a:sub-1", "b:sub-1")),
            { PathAndQuery: var path } when path.StartsWith("/api/billing/admin/poison", StringComparison.Ordinal) => Ok("""{"queue":"invoice-jobs-poison","approximateCount":0,"messages":[]}"""),
            _ => Ok(Runs(Run("a:sub-1", "coveredByCredit", 500, credit: 500), Run("b:sub-1", "recorded", 300, credit: 100))),
        });

        var run = await CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--timeout", "5", "--poll-ms", "50", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("invoices created  1", run.Output, StringComparison.Ordinal);
        Assert.Contains("total             200 usd (minor units)", run.Output, StringComparison.Ordinal);
        Assert.Contains("prepaid credit    600 usd (minor units) (paid 1 period(s) in full: no invoice)", run.Output, StringComparison.Ordinal);
        Assert.Contains("skipped           0 (nothing to bill 0", run.Output, StringComparison.Ordinal);
        Assert.Contains("failed            0", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invoice_recorded_void_or_deleted_bills_nothing_and_its_credit_is_not_summed_as_spent()
    {
        // A subscription whose collection is paused with behavior void: its run finalizes and voids the invoice, and the
        // credit it applied is given back when the run is recorded. Nobody owes it, and the credit is the customer's again.
        await using var server = new CannedServer(request => request switch
        {
            { Method: "POST" } => Ok(Started("a:sub-1", "b:sub-1", "c:sub-1")),
            { PathAndQuery: var path } when path.StartsWith("/api/billing/admin/poison", StringComparison.Ordinal) => Ok("""{"queue":"invoice-jobs-poison","approximateCount":0,"messages":[]}"""),
            _ => Ok(Runs(Run("a:sub-1", "recorded", 500, credit: 200, status: "void"), Run("b:sub-1", "recorded", 300, credit: 100), Run("c:sub-1", "recorded", 700, credit: 50, status: "deleted"))),
        });

        var run = await CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--timeout", "5", "--poll-ms", "50", "--url", server.Url, "--token", Token);

        // A draft deleted in Stripe (kept while collection was paused, or left for an operator) ends the same way
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("invoices created  3 (2 void or deleted: billing nothing, credit given back)", run.Output, StringComparison.Ordinal);
        Assert.Contains("total             200 usd (minor units)", run.Output, StringComparison.Ordinal);
        Assert.Contains("prepaid credit    100 usd (minor units)" + Environment.NewLine, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_poisoned_after_the_run_started_fails_the_run_and_is_named_while_older_poison_is_not()
    {
        await using var server = new CannedServer(request => request switch
        {
            { Method: "POST" } => Ok(Started("a:sub-1", "b:sub-1")),
            { PathAndQuery: var path } when path.StartsWith("/api/billing/admin/poison", StringComparison.Ordinal) => Ok("""
                {"queue":"invoice-jobs-poison","approximateCount":2,"messages":[
                 {"messageId":"m0","insertedOn":"2026-11-30T10:00:00Z","runId":"a:sub-1"},
                 {"messageId":"m1","insertedOn":"2026-12-02T02:00:09Z","runId":"b:sub-1"}]}
                """),
            _ => Ok(Runs(Run("a:sub-1", "recorded", 100))),
        });

        var run = await CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--poll-ms", "50", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Contains("failed            1 (in invoice-jobs-poison; see 'billing admin poison list --queue invoice-jobs'): b:sub-1", run.Output, StringComparison.Ordinal);
        Assert.Contains("invoices created  1", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_still_waiting_when_the_time_is_up_fail_the_run()
    {
        await using var server = new CannedServer(request => request switch
        {
            { Method: "POST" } => Ok(Started("a:sub-1")),
            { PathAndQuery: var path } when path.StartsWith("/api/billing/admin/poison", StringComparison.Ordinal) => Ok("""{"queue":"q","approximateCount":0,"messages":[]}"""),
            _ => Ok(Runs(Run("a:sub-1", "draftCreated"))),
        });

        var run = await CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--timeout", "1", "--poll-ms", "100", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Contains("not finished      1 after 1 s: a:sub-1", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_poison_peek_is_told_once_because_this_run_s_failures_may_be_behind_it()
    {
        var old = string.Join(',', Enumerable.Range(0, 32).Select(i => $$"""{"messageId":"m{{i}}","insertedOn":"2026-10-01T00:00:00+00:00","dequeueCount":5,"runId":"old:{{i}}"}"""));
        await using var server = new CannedServer(request => request switch
        {
            { Method: "POST" } => Ok(Started("a:sub-1")),
            { PathAndQuery: var path } when path.StartsWith("/api/billing/admin/poison", StringComparison.Ordinal) => Ok($$"""{"queue":"invoice-jobs-poison","approximateCount":40,"messages":[{{old}}]}"""),
            _ => Ok(Runs(Run("a:sub-1", "draftCreated"))),
        });

        var run = await CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--timeout", "1", "--poll-ms", "100", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Single(run.ErrorLines, line => line.StartsWith("invoice-jobs-poison holds 32 or more messages", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_follows_every_page_of_the_listing()
    {
        await using var server = new CannedServer(request => request switch
        {
            { Method: "POST" } => Ok(Started("a:sub-1", "b:sub-1")),
            { PathAndQuery: var path } when path.Contains("cursor=a%3Asub-1", StringComparison.Ordinal) => Ok(Runs(Run("b:sub-1", "recorded", 7))),
            _ => Ok("""{"runs":[""" + Run("a:sub-1", "recorded", 5) + """],"nextCursor":"a:sub-1"}"""),
        });

        var run = await CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--account", "a", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains(server.Requests, r => r.PathAndQuery == "/api/billing/admin/invoices/runs?period=2026-11&limit=500&accountId=a&cursor=a%3Asub-1");
        Assert.Contains("total             12 usd (minor units)", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"accountId\":\"a\"", Assert.Single(server.Requests, r => r.Method == "POST").Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_of_one_period_says_so_in_the_singular()
    {
        await using var server = new CannedServer(200, """
            {"period":"2026-11","dryRun":true,"startedAt":"2026-12-02T02:00:00Z","notClosedYet":0,"queued":[{"runId":"b:sub-1"}],
             "charges":[{"runId":"b:sub-1","accountId":"b","plan":"BASIC","currency":"usd","total":0,"nothingToBill":true,"lines":[]}],"totals":{}}
            """);

        var run = await CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--dry-run", "--url", server.Url, "--token", Token);

        Assert.Contains("Dry run of 2026-11: 1 closed period, 0 to invoice, 1 with nothing to bill, 0 not closed yet.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_prints_each_period_s_charges_and_the_totals_and_follows_nothing()
    {
        await using var server = new CannedServer(200, """
            {"period":"2026-11","dryRun":true,"startedAt":"2026-12-02T02:00:00Z","notClosedYet":1,
             "queued":[{"runId":"a:sub-1"},{"runId":"b:sub-1"}],
             "charges":[{"runId":"a:sub-1","accountId":"a","plan":"PRO","currency":"usd","total":2500,"nothingToBill":false,
                         "lines":[{"meter":"agent_runs","description":"agent_runs: 1,250 beyond the 5,000 included","amount":2500}]},
                        {"runId":"b:sub-1","accountId":"b","plan":"BASIC","currency":"usd","total":0,"nothingToBill":true,"lines":[]}],
             "totals":{"usd":2500}}
            """);

        var run = await CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--dry-run", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var request = Assert.Single(server.Requests);
        Assert.Contains("\"dryRun\":true", request.Body, StringComparison.Ordinal);
        Assert.Contains("Dry run of 2026-11: 2 closed periods, 1 to invoice, 1 with nothing to bill, 1 not closed yet.", run.Output, StringComparison.Ordinal);
        Assert.Contains("a:sub-1 (PRO): 2,500 usd (minor units)", run.Output, StringComparison.Ordinal);
        Assert.Contains("2,500 usd (minor units)  agent_runs: 1,250 beyond the 5,000 included", run.Output, StringComparison.Ordinal);
        Assert.Contains("b:sub-1 (BASIC): nothing to bill", run.Output, StringComparison.Ordinal);
        Assert.Contains("Total: 2,500 usd (minor units)", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-1")]
    [InlineData("26-11")]
    [InlineData("november")]
    public async Task A_period_that_is_not_a_month_is_a_usage_error_before_any_request(string period)
    {
        await using var server = new CannedServer(200, "{}");

        var run = await CliRun.RunAsync("invoices", "run", "--period", period, "--url", server.Url, "--token", Token);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"--period must be a month as YYYY-MM (e.g. 2026-11); got '{period}'.", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Backfill_posts_the_month_and_says_what_it_named_and_whether_the_month_is_complete()
    {
        await using var server = new CannedServer(200, """{"period":"2026-11","periodsRead":7,"runsFound":6,"entriesWritten":5,"complete":true,"completedAt":"2026-12-03T10:00:00Z"}""");

        var run = await CliRun.RunAsync("invoices", "backfill", "--period", "2026-11", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/billing/admin/invoices/runs/backfill"), (request.Method, request.PathAndQuery));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"period":"2026-11"}"""), JsonNode.Parse(request.Body)), request.Body);
        Assert.Contains("Run index of 2026-11: 7 periods read, 6 runs found, 5 entries written; complete since 2026-12-03T10:00:00Z.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_says_once_when_the_month_s_listing_is_not_complete_and_names_the_backfill()
    {
        await using var server = new CannedServer(request => request switch
        {
            { Method: "POST" } => Ok(Started("a:sub-1")),
            { PathAndQuery: var path } when path.StartsWith("/api/billing/admin/poison", StringComparison.Ordinal) => Ok("""{"queue":"invoice-jobs-poison","approximateCount":0,"messages":[]}"""),
            _ => Ok($$"""{"runs":[{{Run("a:sub-1", "recorded", 300)}}],"nextCursor":null,"complete":false}"""),
        });

        var run = await CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--timeout", "5", "--poll-ms", "50", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("billing: The run index of 2026-11 is not marked complete (the month of an upgrade or of the installation): runs created before it are not listed, and a job resuming one shows as waiting. Run 'billing invoices backfill --period 2026-11' once.", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backfill_that_could_not_complete_its_month_says_so()
    {
        await using var server = new CannedServer(200, """{"period":"2024-01","periodsRead":1,"runsFound":1,"entriesWritten":1,"complete":false,"completedAt":null}""");

        var run = await CliRun.RunAsync("invoices", "backfill", "--period", "2024-01", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("1 entries written; NOT complete:", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_run_is_one_line_with_the_problem_and_its_code()
    {
        await using var server = new CannedServer(409, """{"title":"The period has not closed yet.","status":409,"detail":"No period of 2027-01 has closed: the month has not begun.","code":"period_not_closed"}""", "application/problem+json");

        var run = await CliRun.RunAsync("invoices", "run", "--period", "2027-01", "--url", server.Url, "--token", Token);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Equal("billing: 409 Conflict: No period of 2027-01 has closed: the month has not begun. (code: period_not_closed)", Assert.Single(run.ErrorLines));
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task Run_against_nothing_listening_is_unreachable()
    {
        using var down = FreePort.Refusing();
        var run = await CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--url", down.Url.ToString(), "--token", Token);

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.StartsWith("billing: Could not reach", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>
    /// Exit 3 says "the server could not be reached: nothing was done"; once the run is queued its jobs go on in the app
    /// whatever happens to the follow, so losing the app while following is a failed command (1) that says so.
    /// </summary>
    [Fact]
    public async Task Losing_the_app_while_following_a_queued_run_is_exit_1_and_says_the_jobs_go_on()
    {
        var server = new CannedServer(request => request switch
        {
            { Method: "POST" } => Ok(Started("a:sub-1")),
            { PathAndQuery: var path } when path.StartsWith("/api/billing/admin/poison", StringComparison.Ordinal) => Ok("""{"queue":"invoice-jobs-poison","approximateCount":0,"messages":[]}"""),
            _ => Ok(Runs(Run("a:sub-1", "computed"))),
        });
        var following = CliRun.RunAsync("invoices", "run", "--period", "2026-11", "--poll-ms", "1500", "--url", server.Url, "--token", Token);
        while (server.Requests.Count < 3 && !following.IsCompleted)
        {
            await Task.Delay(20);
        }

        await server.DisposeAsync(); // the app goes away between two looks
        var run = await following;

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.StartsWith("billing: Could not reach", run.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("queued", run.ErrorLines[^1], StringComparison.Ordinal);
        Assert.Contains("billing invoices show a:sub-1", run.ErrorLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_reads_the_run_by_its_id_and_prints_its_invoice_lines_and_page()
    {
        await using var server = new CannedServer(200, Run("user-42:month-2026-11", "recorded", 2500));

        var run = await CliRun.RunAsync("invoices", "show", "user-42:month-2026-11", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal("/api/billing/admin/invoices/runs/user-42%3Amonth-2026-11", Assert.Single(server.Requests).PathAndQuery);
        Assert.Contains("Invoice run user-42:month-2026-11: recorded", run.Output, StringComparison.Ordinal);
        Assert.Contains("invoice   in_user-42 (INV-1), status open", run.Output, StringComparison.Ordinal);
        Assert.Contains("page      https://invoice.example/user-42", run.Output, StringComparison.Ordinal);
        Assert.Contains("total     2,500 usd (minor units)", run.Output, StringComparison.Ordinal);
        Assert.Contains("- 2,500 usd (minor units)  agent_runs beyond the plan  [ii_1]", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_of_a_run_that_spent_prepaid_credit_says_the_credit_and_what_its_invoice_bills()
    {
        await using var server = new CannedServer(200, Run("user-42:month-2026-11", "recorded", 2500, credit: 1000));

        var run = await CliRun.RunAsync("invoices", "show", "user-42:month-2026-11", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("total     2,500 usd (minor units)", run.Output, StringComparison.Ordinal);
        Assert.Contains("credit    -1,000 usd (minor units) of prepaid credit", run.Output, StringComparison.Ordinal);
        Assert.Contains("due       1,500 usd (minor units)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_of_a_run_whose_invoice_an_operator_changed_in_Stripe_says_what_it_bills_and_what_the_run_computed()
    {
        await using var server = new CannedServer(200, Run("user-42:month-2026-11", "recorded", 2500, credit: 1000, status: "paid", billed: 1599));

        var run = await CliRun.RunAsync("invoices", "show", "user-42:month-2026-11", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("credit    -1,000 usd (minor units) of prepaid credit", run.Output, StringComparison.Ordinal);
        Assert.Contains("due       1,599 usd (minor units) as Stripe's invoice bills it, changed in Stripe (the run computed 1,500 usd (minor units))", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_of_a_run_whose_subscription_paused_collection_says_why_its_invoice_is_a_draft_and_what_to_do()
    {
        // The run view's collectionPause: without it an operator sees a recorded run whose invoice is a draft, and no reason.
        await using var server = new CannedServer(200, Run("user-42:month-2026-11", "recorded", 2000, status: "draft", collectionPause: "keepAsDraft"));

        var run = await CliRun.RunAsync("invoices", "show", "user-42:month-2026-11", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("invoice   in_user-42 (INV-1), status draft", run.Output, StringComparison.Ordinal);
        Assert.Contains("paused    collection paused in Stripe (keepAsDraft): kept a draft; finalize it in Stripe to bill it, or delete it (recorded deleted, credit given back)", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("coveredByCredit", 200, 200, "invoice   none: prepaid credit paid it in full")]
    [InlineData("nothingToBill", 0, 0, "invoice   none: nothing to bill")]
    public async Task Show_of_a_run_that_ended_without_an_invoice_says_none_will_come(string step, long total, long credit, string expected)
    {
        // A run paid in full by credit (or with nothing to bill) is done and never gets a Stripe invoice; "none yet,
        // status none" told the operator one was still to come.
        await using var server = new CannedServer(200, Run("user-42:month-2026-11", step, total, credit: credit));

        var run = await CliRun.RunAsync("invoices", "show", "user-42:month-2026-11", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains(expected + Environment.NewLine, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_of_a_run_before_its_invoice_is_made_says_none_yet()
    {
        await using var server = new CannedServer(200, Run("user-42:month-2026-11", "computed", 500));

        var run = await CliRun.RunAsync("invoices", "show", "user-42:month-2026-11", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("invoice   none yet, status none" + Environment.NewLine, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_with_json_prints_the_answer_and_a_stripe_invoice_id_goes_in_the_path()
    {
        var body = Run("a:sub-1", "recorded", 1);
        await using var server = new CannedServer(200, body);

        var run = await CliRun.RunAsync("invoices", "show", "in_a", "--json", "--url", server.Url, "--token", Token);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal("/api/billing/admin/invoices/runs/in_a", Assert.Single(server.Requests).PathAndQuery);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(body), JsonNode.Parse(run.Output)), run.Output);
    }

    [Fact]
    public async Task Show_of_an_unknown_run_is_a_one_line_404()
    {
        await using var server = new CannedServer(404, """{"title":"No such invoice run.","status":404,"detail":"No invoice run has the id or Stripe invoice 'x:sub-1'.","code":"invoice_run_not_found"}""", "application/problem+json");

        var run = await CliRun.RunAsync("invoices", "show", "x:sub-1", "--url", server.Url, "--token", Token);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("(code: invoice_run_not_found)", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void The_progress_bar_fills_with_the_finished_share()
    {
        var progress = new RunProgress
        {
            Total = 4, Invoiced = 1, NothingToBill = 0, Failed = 1, Waiting = 2, AlreadyDone = 0, Accounts = 4,
            Totals = new Dictionary<string, long>(), FailedRuns = [], WaitingRuns = [],
        };

        Assert.Equal("[###############...............] 2/4  invoiced 1, paid by credit 0, nothing to bill 0, failed 1, waiting 2", ProgressLine.Render(progress));
    }

    [Fact]
    public async Task A_terminal_redraws_one_line_in_place()
    {
        using var output = new StringWriter();
        var line = new ProgressLine(output, redraw: true);
        var progress = new RunProgress
        {
            Total = 1, Invoiced = 0, NothingToBill = 0, Failed = 0, Waiting = 1, AlreadyDone = 0, Accounts = 1,
            Totals = new Dictionary<string, long>(), FailedRuns = [], WaitingRuns = [],
        };

        await line.ShowAsync(progress);
        await line.ShowAsync(progress with { Invoiced = 1, Waiting = 0 });
        await line.EndAsync();

        Assert.Equal("\r" + ProgressLine.Render(progress) + "\r" + ProgressLine.Render(progress with { Invoiced = 1, Waiting = 0 }) + Environment.NewLine, output.ToString());
    }

    private static CannedServer.Response Ok(string body) => new(200, body);

    private static string Started(params string[] runIds) =>
        $$"""{"period":"2026-11","dryRun":false,"startedAt":"{{StartedAt}}","notClosedYet":0,"queued":[{{string.Join(',', runIds.Select(id => $$"""{"runId":"{{id}}"}"""))}}]}""";

    private static string Runs(params string[] runs) => $$"""{"runs":[{{string.Join(',', runs)}}],"nextCursor":null}""";

    /// <param name="billed">What Stripe's invoice bills when an operator changed it (the answer's amountDue); null: total less credit.</param>
    private static string Run(string runId, string step, long total = 0, string currency = "usd", long credit = 0, string status = "open", long? billed = null, string? collectionPause = null)
    {
        var account = runId[..runId.LastIndexOf(':')];
        var invoice = step is "recorded" or "finalized" ? $$""","stripeInvoiceId":"in_{{account}}","number":"INV-1","status":"{{status}}","hostedInvoiceUrl":"https://invoice.example/{{account}}" """ : "";
        invoice += collectionPause is null ? "" : $$""","collectionPause":"{{collectionPause}}" """;
        return $$"""{"runId":"{{runId}}","accountId":"{{account}}","periodKey":"sub-1","periodStart":"2026-10-15T00:00:00Z","periodEnd":"2026-11-15T00:00:00Z","step":"{{step}}","plan":"PRO","currency":"{{currency}}","total":{{total}},"creditApplied":{{credit}},"amountDue":{{billed ?? total - credit}}{{invoice}},"attempts":1,"updatedAt":"2026-12-02T02:00:05Z","lines":[{"meter":"agent_runs","description":"agent_runs beyond the plan","used":1,"included":0,"overageUnits":1,"amount":{{total}},"stripeItemId":"ii_1"}]}""";
    }
}
