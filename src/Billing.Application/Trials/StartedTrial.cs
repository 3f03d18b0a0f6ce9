using Billing.Domain.Plans;

namespace Billing.Application.Trials;

/// <summary>The app-side trial just started: its plan applies in [<see cref="StartedAt"/>, <see cref="EndsAt"/>).</summary>
public sealed record StartedTrial
{
    public required Plan Plan { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }
}
