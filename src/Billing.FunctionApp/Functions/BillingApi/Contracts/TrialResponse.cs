namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>The trial just started: the plan's limits apply from <see cref="StartedAt"/> until <see cref="EndsAt"/>.</summary>
public sealed record TrialResponse
{
    public required string Plan { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }
}
