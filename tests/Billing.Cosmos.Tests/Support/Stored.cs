using Billing.Application.Invoicing;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;

namespace Billing.Cosmos.Tests.Support;

/// <summary>What the invoicing tests store before they act: a period's first count, and a run of a period.</summary>
internal static class Stored
{
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");

    /// <summary>Counts one agent run of <paramref name="period"/> under <paramref name="plan"/>, a minute after it started (no limit, no account version).</summary>
    public static Task<UsageRecordResult> CountOneAsync(IUsageLedger ledger, AccountId account, UsagePeriod period, string plan = "FREE") =>
        ledger.RecordAsync(
            UsageRecord.Of(
                new UsageConsumption(account, period, AgentRuns, 1, null, PlanCode.Parse(plan), null, null, null),
                Guid.NewGuid().ToString("N"),
                occurredAt: period.Start.AddMinutes(1),
                recordedAt: period.Start.AddMinutes(2),
                TimeSpan.FromDays(45),
                accountVersion: null),
            CancellationToken.None);

    /// <summary>A run of <paramref name="period"/> in usd without lines, at <paramref name="step"/>, created and updated at the period's end.</summary>
    public static InvoiceRun Run(AccountId account, UsagePeriod period, InvoiceRunStep step, string plan = "FREE") => new()
    {
        AccountId = account,
        PeriodKey = period.Key,
        PeriodStart = period.Start,
        PeriodEnd = period.End,
        Plan = PlanCode.Parse(plan),
        Currency = Currency.Parse("usd"),
        Lines = [],
        Step = step,
        CreatedAt = period.End,
        UpdatedAt = period.End,
    };
}
