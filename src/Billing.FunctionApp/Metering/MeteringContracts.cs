using System.Text.Json;
using Billing.Application.Accounts;
using Billing.Application.Usage;
using Billing.FunctionApp.Http;

namespace Billing.FunctionApp.Metering;

/// <summary>Body of <c>POST /api/usage</c> and of each item of <c>POST /api/usage/batch</c>.</summary>
public sealed class UsageRecordBody
{
    public string? AccountId { get; set; }

    public string? Meter { get; set; }

    public long? Quantity { get; set; }

    public string? IdempotencyKey { get; set; }

    public DateTimeOffset? OccurredAt { get; set; }

    internal UsageRecordRequest ToRequest() => new(AccountId, Meter, Quantity, IdempotencyKey, OccurredAt);
}

/// <summary>Body of <c>POST /api/usage/batch</c>: 1 to 100 records, each checked on its own.</summary>
public sealed class UsageBatchBody
{
    [MaxItems(UsageOptions.MaxBatchRecords)]
    public IReadOnlyList<JsonElement>? Records { get; set; }
}

/// <summary>Body of <c>POST /api/usage/check</c>.</summary>
public sealed class UsageCheckBody
{
    public string? AccountId { get; set; }

    public string? Meter { get; set; }

    public long? Quantity { get; set; }

    public DateTimeOffset? OccurredAt { get; set; }

    internal UsageCheckRequest ToRequest() => new(AccountId, Meter, Quantity, OccurredAt);
}

/// <summary>Body of <c>POST /api/allocations/{meter}</c>.</summary>
public sealed class AllocationBody
{
    public string? AccountId { get; set; }

    public string? AllocationId { get; set; }
}

/// <summary>A recorded usage: the meter's counter after it against the limit, in the current period.</summary>
public sealed record UsageRecordResponse
{
    public required string Meter { get; init; }

    public required long Quantity { get; init; }

    public required long Used { get; init; }

    /// <summary>The hard limit or included units; null when unlimited.</summary>
    public long? Limit { get; init; }

    public long? Remaining { get; init; }

    /// <summary>Units beyond the included quantity so far (overage meters), invoiced after the period.</summary>
    public required long Overage { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>
    /// True when the idempotency key was seen before: nothing was counted this time and the answer is the first call's
    /// (for a key whose first call died before answering: the counter as it stands now).
    /// </summary>
    public required bool Replayed { get; init; }

    internal static UsageRecordResponse From(RecordedUsage usage) => new()
    {
        Meter = usage.Meter.Value,
        Quantity = usage.Quantity,
        Used = usage.Used,
        Limit = usage.Limit,
        Remaining = usage.Remaining,
        Overage = usage.Overage,
        PeriodStart = usage.PeriodStart,
        PeriodEnd = usage.PeriodEnd,
        OccurredAt = usage.OccurredAt,
        Replayed = usage.Replayed,
    };
}

/// <summary>The answer of <c>POST /api/usage/batch</c>: one result per record, in order.</summary>
public sealed record UsageBatchResponse(int Recorded, int Failed, IReadOnlyList<UsageBatchItemResponse> Results);

/// <summary>
/// One record's outcome: its status code and either the usage or the RFC 9457 problem (a <c>ProblemDetails</c>, with
/// <c>errors</c> for a 400); typed as object so the problem's own members are written.
/// </summary>
public sealed record UsageBatchItemResponse(int Index, int Status, UsageRecordResponse? Usage, object? Problem);

public sealed record UsageCheckResponse
{
    public required bool Allowed { get; init; }

    public required string Meter { get; init; }

    public required long Used { get; init; }

    public long? Limit { get; init; }

    public long? Remaining { get; init; }

    public required bool HardLimit { get; init; }

    public required string Plan { get; init; }

    /// <summary>When not allowed: the plan that allows more; null when none does.</summary>
    public string? UpgradePlan { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    internal static UsageCheckResponse From(UsageCheck check) => new()
    {
        Allowed = check.Allowed,
        Meter = check.Meter.Value,
        Used = check.Used,
        Limit = check.Limit,
        Remaining = check.Remaining,
        HardLimit = check.HardLimit,
        Plan = check.Plan.Value,
        UpgradePlan = check.UpgradePlan?.Value,
        PeriodStart = check.PeriodStart,
        PeriodEnd = check.PeriodEnd,
    };
}

/// <summary>An allocation meter after a take or release; <c>changed</c> is false for a repeated call.</summary>
public sealed record AllocationResponse(string Meter, string AllocationId, bool Changed, long Held, long? Limit, long? Remaining)
{
    internal static AllocationResponse From(AllocationState state) =>
        new(state.Meter, state.AllocationId, state.Changed, state.Held, state.Limit, state.Remaining);
}

/// <summary>A registered account; <c>created</c> is false when it existed already.</summary>
public sealed record AccountRegistrationResponse(string AccountId, DateTimeOffset CreatedAt, bool Created)
{
    internal static AccountRegistrationResponse From(RegisteredAccount account) =>
        new(account.AccountId.Value, account.CreatedAt, account.Created);
}
