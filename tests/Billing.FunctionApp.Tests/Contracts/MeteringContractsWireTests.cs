using Billing.Application.Accounts;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.FunctionApp.Metering;
using static Billing.FunctionApp.Tests.Contracts.ContractJson;

namespace Billing.FunctionApp.Tests.Contracts;

/// <summary>What the product's backend reads from the metering endpoints (docs/api.md, "Metering"), on the wire.</summary>
public sealed class MeteringContractsWireTests
{
    private static readonly DateTimeOffset PeriodStart = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset PeriodEnd = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_recorded_usage_answers_the_meter_after_it_in_its_period()
    {
        var usage = new RecordedUsage
        {
            Meter = MeterName.Parse("agent_runs"),
            Quantity = 3,
            Used = 18,
            Limit = 20,
            Remaining = 2,
            Overage = 1,
            PeriodStart = PeriodStart,
            PeriodEnd = PeriodEnd,
            OccurredAt = new DateTimeOffset(2026, 11, 21, 15, 17, 50, TimeSpan.Zero),
            RecordedAt = new DateTimeOffset(2026, 11, 21, 15, 17, 51, TimeSpan.Zero),
            Replayed = true,
        };

        await AssertWireAsync("""
            { "meter": "agent_runs", "quantity": 3, "used": 18, "limit": 20, "remaining": 2, "overage": 1,
              "periodStart": "2026-11-01T00:00:00+00:00", "periodEnd": "2026-12-01T00:00:00+00:00",
              "occurredAt": "2026-11-21T15:17:50+00:00", "replayed": true }
            """, UsageRecordResponse.From(usage));
        await AssertWireAsync("""
            { "meter": "agent_runs", "quantity": 3, "used": 18, "limit": null, "remaining": null, "overage": 1,
              "periodStart": "2026-11-01T00:00:00+00:00", "periodEnd": "2026-12-01T00:00:00+00:00",
              "occurredAt": "2026-11-21T15:17:50+00:00", "replayed": false }
            """, UsageRecordResponse.From(usage with { Limit = null, Remaining = null, Replayed = false }));
    }

    [Fact]
    public async Task A_usage_check_answers_whether_it_is_allowed_against_which_limit_and_what_to_upgrade_to()
    {
        var check = new UsageCheck
        {
            Allowed = false,
            Meter = MeterName.Parse("agent_runs"),
            Used = 18,
            Limit = 20,
            Remaining = 2,
            HardLimit = true,
            Plan = PlanCode.Parse("FREE"),
            UpgradePlan = PlanCode.Parse("BASIC"),
            PeriodStart = PeriodStart,
            PeriodEnd = PeriodEnd,
        };

        await AssertWireAsync("""
            { "allowed": false, "meter": "agent_runs", "used": 18, "limit": 20, "remaining": 2, "hardLimit": true,
              "plan": "FREE", "upgradePlan": "BASIC", "periodStart": "2026-11-01T00:00:00+00:00", "periodEnd": "2026-12-01T00:00:00+00:00" }
            """, UsageCheckResponse.From(check));
        await AssertWireAsync("""
            { "allowed": true, "meter": "agent_runs", "used": 18, "limit": null, "remaining": null, "hardLimit": false,
              "plan": "FREE", "upgradePlan": null, "periodStart": "2026-11-01T00:00:00+00:00", "periodEnd": "2026-12-01T00:00:00+00:00" }
            """, UsageCheckResponse.From(check with { Allowed = true, Limit = null, Remaining = null, HardLimit = false, UpgradePlan = null }));
    }

    [Fact]
    public async Task An_overage_meter_is_allowed_past_its_included_units_and_is_no_hard_limit()
    {
        var check = new UsageCheck
        {
            Allowed = true,
            Meter = MeterName.Parse("agent_runs"),
            Used = 1200,
            Limit = 1000,
            Remaining = 0,
            HardLimit = false,
            Plan = PlanCode.Parse("PRO"),
            PeriodStart = PeriodStart,
            PeriodEnd = PeriodEnd,
        };

        var json = await WireAsync(UsageCheckResponse.From(check));

        Equal("""{ "allowed": true, "limit": 1000, "remaining": 0, "hardLimit": false, "upgradePlan": null }""", InvoiceAndCreditContractsWireTests.Pick(json, "allowed", "limit", "remaining", "hardLimit", "upgradePlan"));
    }

    [Fact]
    public async Task An_allocation_answers_the_units_held_against_the_limit()
    {
        await AssertWireAsync(
            """{ "meter": "projects", "allocationId": "project-42", "changed": true, "held": 1, "limit": 3, "remaining": 2 }""",
            AllocationResponse.From(new AllocationState("projects", "project-42", Changed: true, Held: 1, Limit: 3, Remaining: 2)));
        await AssertWireAsync(
            """{ "meter": "projects", "allocationId": "project-42", "changed": false, "held": 4, "limit": null, "remaining": null }""",
            AllocationResponse.From(new AllocationState("projects", "project-42", Changed: false, Held: 4, Limit: null, Remaining: null)));
    }

    [Fact]
    public async Task A_registration_answers_the_account_when_it_was_created_and_whether_this_call_created_it()
    {
        await AssertWireAsync(
            """{ "accountId": "user-1", "createdAt": "2026-11-21T15:17:56.2472784+00:00", "created": true }""",
            AccountRegistrationResponse.From(new RegisteredAccount(AccountId.Parse("user-1"), new DateTimeOffset(2026, 11, 21, 15, 17, 56, TimeSpan.Zero).AddTicks(2472784), Created: true)));
        await AssertWireAsync(
            """{ "accountId": "user-1", "createdAt": "2026-11-21T15:17:56+00:00", "created": false }""",
            AccountRegistrationResponse.From(new RegisteredAccount(AccountId.Parse("user-1"), new DateTimeOffset(2026, 11, 21, 15, 17, 56, TimeSpan.Zero), Created: false)));
    }
}
