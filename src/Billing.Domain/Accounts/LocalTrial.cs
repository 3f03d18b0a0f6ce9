using Billing.Domain.Plans;

namespace Billing.Domain.Accounts;

/// <summary>An app-side trial started by <c>POST /trial</c>: the plan applies in [<see cref="StartedAt"/>, <see cref="EndsAt"/>).</summary>
public sealed record LocalTrial
{
    public required PlanCode PlanCode { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }

    public bool IsRunningAt(DateTimeOffset instant) => instant >= StartedAt && instant < EndsAt;
}
