using System.Buffers.Text;
using System.Text;
using Billing.Application.Admin;
using Billing.Application.Invoicing;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;

namespace Billing.Application.Tests.Admin;

/// <summary>Every account's invoices for operators: the query checks, filters passed to the index, and cursor paging.</summary>
public sealed class AdminInvoicesTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly InMemoryInvoiceDirectory _directory = new();

    private AdminInvoices Invoices => new(_directory);

    [Theory]
    [InlineData("2026-13", null, null, null, "period")]
    [InlineData("2026-1", null, null, null, "period")]
    [InlineData("11-2026", null, null, null, "period")]
    [InlineData("2026-11-01", null, null, null, "period")]
    [InlineData(null, "Paid", null, null, "status")]
    [InlineData(null, "paid!", null, null, "status")]
    [InlineData(null, "opn", null, null, "status")]
    [InlineData(null, "past_due", null, null, "status")]
    [InlineData(null, null, "not-a-cursor", null, "cursor")]
    [InlineData(null, null, null, 0, "limit")]
    [InlineData(null, null, null, 101, "limit")]
    public async Task A_bad_query_parameter_is_refused_naming_the_field_and_nothing_is_queried(string? period, string? status, string? cursor, int? limit, string field)
    {
        var errors = (await Invoices.ListAsync(new AdminInvoiceListRequest(period, status, cursor, limit), CancellationToken.None)).AssertInvalid();

        Assert.Equal([field], errors.Fields);
        Assert.Single(errors.For(field));
        Assert.Empty(_directory.Queries);
    }

    [Fact]
    public async Task Every_bad_parameter_is_named_at_once()
    {
        var errors = (await Invoices.ListAsync(new AdminInvoiceListRequest("2026/11", "OPEN", "!!", -1), CancellationToken.None)).AssertInvalid();

        Assert.Equal(["cursor", "limit", "period", "status"], errors.Fields.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_cursor_of_the_account_listing_is_not_one_of_the_invoice_listing()
    {
        var accountCursor = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("accounts|user-1"));

        var errors = (await Invoices.ListAsync(new AdminInvoiceListRequest(Cursor: accountCursor), CancellationToken.None)).AssertInvalid();

        Assert.Equal(["cursor"], errors.Fields);
    }

    [Fact]
    public async Task A_cursor_sent_with_another_period_or_status_is_refused_and_nothing_is_queried()
    {
        _directory.Add(Run("user-a", November, "open"));
        _directory.Add(Run("user-b", November, "open"));
        var first = (await Invoices.ListAsync(new AdminInvoiceListRequest(Status: "open", Limit: 1), CancellationToken.None)).AssertSucceeded();
        var queries = _directory.Queries.Count;

        var otherStatus = (await Invoices.ListAsync(new AdminInvoiceListRequest(Status: "paid", Cursor: first.NextCursor, Limit: 1), CancellationToken.None)).AssertInvalid();
        var otherPeriod = (await Invoices.ListAsync(new AdminInvoiceListRequest("2026-11", "open", first.NextCursor, 1), CancellationToken.None)).AssertInvalid();
        var same = (await Invoices.ListAsync(new AdminInvoiceListRequest(Status: "open", Cursor: first.NextCursor, Limit: 1), CancellationToken.None)).AssertSucceeded();

        Assert.Equal(["cursor"], otherStatus.Fields);
        Assert.Equal(["cursor"], otherPeriod.Fields);
        Assert.Contains("same period, status", Assert.Single(otherPeriod.For("cursor")), StringComparison.Ordinal);
        Assert.Equal(queries + 1, _directory.Queries.Count);
        Assert.Equal(["user-a", "user-b"], first.Invoices.Concat(same.Invoices).Select(i => i.AccountId.Value).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("draft")]
    [InlineData("open")]
    [InlineData("paid")]
    [InlineData("uncollectible")]
    [InlineData("void")]
    [InlineData(InvoiceRunStatusSync.Deleted)] // a draft deleted in Stripe
    public async Task Each_of_stripes_invoice_statuses_lists_the_runs_that_have_it(string status)
    {
        _directory.Add(Run("user-a", November, status));
        _directory.Add(Run("user-b", November, status == "draft" ? "open" : "draft"));

        var listed = (await Invoices.ListAsync(new AdminInvoiceListRequest(Status: status), CancellationToken.None)).AssertSucceeded();

        Assert.Equal(["user-a"], listed.Invoices.Select(i => i.AccountId.Value));
    }

    [Fact]
    public async Task A_cursor_handed_out_is_the_position_of_the_last_invoice_of_the_page()
    {
        _directory.Add(Run("user-a", November, "open"));
        _directory.Add(Run("user-b", October, "open"));

        var first = (await Invoices.ListAsync(new AdminInvoiceListRequest(Limit: 1), CancellationToken.None)).AssertSucceeded();
        Assert.NotNull(first.NextCursor);
        var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(first.NextCursor));
        Assert.StartsWith("invoices|", text, StringComparison.Ordinal);
        Assert.EndsWith("|2026-11-01T00:00:00|user-a:" + first.Invoices[0].PeriodKey.Value, text, StringComparison.Ordinal);

        var second = (await Invoices.ListAsync(new AdminInvoiceListRequest(Cursor: first.NextCursor, Limit: 1), CancellationToken.None)).AssertSucceeded();

        Assert.Equal("2026-11-01T00:00:00|user-a:" + first.Invoices[0].PeriodKey.Value, _directory.Queries.Last().After);
        Assert.Equal(["user-b"], second.Invoices.Select(i => i.AccountId.Value));
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task Filters_and_the_default_page_size_go_to_the_index_and_only_matching_invoices_come_back()
    {
        _directory.Add(Run("user-a", November, "open"));
        _directory.Add(Run("user-b", November, "paid"));
        _directory.Add(Run("user-c", October, "open"));

        var page = (await Invoices.ListAsync(new AdminInvoiceListRequest("2026-11", "open"), CancellationToken.None)).AssertSucceeded();

        Assert.Equal(new InvoiceDirectoryQuery("2026-11", "open", null, 25), Assert.Single(_directory.Queries));
        Assert.Equal(["user-a"], page.Invoices.Select(i => i.AccountId.Value));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Paging_with_the_cursor_walks_every_invoice_once_newest_period_first()
    {
        var expected = new List<InvoiceRun>();
        foreach (var month in new[] { November, October, October.AddMonths(-1) })
        {
            for (var i = 0; i < 3; i++)
            {
                var run = Run($"user-{i}", month, i == 1 ? "paid" : "open");
                _directory.Add(run);
                expected.Add(run);
            }
        }

        var seen = new List<InvoiceRun>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = (await Invoices.ListAsync(new AdminInvoiceListRequest(Cursor: cursor, Limit: 2), CancellationToken.None)).AssertSucceeded();
            Assert.InRange(page.Invoices.Count, 1, 2);
            seen.AddRange(page.Invoices);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(5, pages); // 9 invoices, 2 a page: the last page has one and no cursor
        Assert.Equal(expected.Select(r => r.RunId).Order(StringComparer.Ordinal), seen.Select(r => r.RunId).Order(StringComparer.Ordinal));
        Assert.Equal(seen.Count, seen.Select(r => r.RunId).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(seen.Select(r => r.PeriodStart).OrderDescending(), seen.Select(r => r.PeriodStart));
    }

    [Fact]
    public async Task A_page_that_ends_exactly_at_the_last_invoice_has_no_next_cursor()
    {
        _directory.Add(Run("user-a", November, "open"));
        _directory.Add(Run("user-b", November, "open"));

        var page = (await Invoices.ListAsync(new AdminInvoiceListRequest(Limit: 2), CancellationToken.None)).AssertSucceeded();

        Assert.Equal(2, page.Invoices.Count);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task No_invoice_is_an_empty_last_page()
    {
        var page = (await Invoices.ListAsync(new AdminInvoiceListRequest("2026-11"), CancellationToken.None)).AssertSucceeded();

        Assert.Empty(page.Invoices);
        Assert.Null(page.NextCursor);
    }

    private static InvoiceRun Run(string account, DateTimeOffset month, string status)
    {
        var period = UsagePeriod.CalendarMonth(month);
        return new InvoiceRun
        {
            AccountId = AccountId.Parse(account),
            PeriodKey = period.Key,
            PeriodStart = period.Start,
            PeriodEnd = period.End,
            Plan = PlanCode.Parse("PRO"),
            Currency = Currency.Parse("usd"),
            Lines = [new InvoiceRunLine(MeterName.Parse("agent_runs"), 1_100, 1_000, 100, 300, "Agent runs")],
            Step = InvoiceRunStep.Recorded,
            StripeInvoiceId = "in_" + account + "_" + period.Key.Value,
            Status = status,
            CreatedAt = period.End,
            UpdatedAt = period.End,
        };
    }
}
