using Billing.Application.Invoicing;
using Billing.Application.StripeEvents;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Tests.Invoicing;

public sealed class InvoiceJobTests
{
    private static readonly InvoiceJob Job = new(AccountId.Parse("user-42"), UsagePeriodKey.ForSubscriptionPeriod(new DateTimeOffset(2026, 11, 15, 10, 30, 0, TimeSpan.Zero)));

    [Fact]
    public void A_job_is_a_small_JSON_message()
    {
        Assert.Equal("""{"accountId":"user-42","periodKey":"sub-20261115T103000Z"}""", Job.ToJson());
    }

    [Fact]
    public void A_job_survives_the_round_trip()
    {
        Assert.Equal(Job, InvoiceJob.Parse(Job.ToJson()));

        var month = new InvoiceJob(AccountId.Parse("user-7"), UsagePeriodKey.ForCalendarMonth(2026, 11));
        Assert.Equal(month, InvoiceJob.Parse(month.ToJson()));
    }

    [Fact]
    public void The_run_id_names_the_account_and_the_period_and_is_the_runs()
    {
        Assert.Equal("user-42:sub-20261115T103000Z", Job.RunId);
        Assert.Equal(Job.RunId, InvoiceJob.Parse(Job.ToJson()).RunId);
    }

    [Fact]
    public void Property_names_are_read_case_insensitively_and_unknown_ones_are_ignored()
    {
        Assert.Equal(Job, InvoiceJob.Parse("""{"AccountId":"user-42","PERIODKEY":"sub-20261115T103000Z","attempt":3}"""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"accountId":"user-42"}""")]
    [InlineData("""{"periodKey":"month-2026-11"}""")]
    [InlineData("""{"accountId":"","periodKey":"month-2026-11"}""")]
    [InlineData("""{"accountId":"user/42","periodKey":"month-2026-11"}""")]
    [InlineData("""{"accountId":" user-42","periodKey":"month-2026-11"}""")]
    [InlineData("""{"accountId":"user-42","periodKey":"2026-11"}""")]
    [InlineData("""{"accountId":"user-42","periodKey":"month-2026-11 "}""")]
    [InlineData("""{"accountId":42,"periodKey":"month-2026-11"}""")]
    [InlineData("{\"accountId\":\"user-42\",\"periodKey\":\"month-2026-11\"")] // cut short
    public void Anything_else_is_an_invalid_queue_message(string text)
    {
        Assert.Throws<InvalidQueueMessageException>(() => InvoiceJob.Parse(text));
    }
}
